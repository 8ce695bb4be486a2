namespace Nop.Plugin.Misc.CustomerSegments.Infrastructure;

/// <summary>
/// The plugin's text, installed as nopCommerce locale resources
/// </summary>
public static class LocaleResources
{
    private static string P(string name) => $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{name}";

    /// <summary>
    /// Keys (after "RuleBuilder.") of the texts the rule builder script shows; sent to it with the field catalog
    /// </summary>
    public static IReadOnlyList<string> RuleBuilderTextKeys { get; } =
    [
        "AddCondition", "AddGroup", "Remove", "MatchAll", "MatchAny", "Negate", "SelectField", "SelectOperator",
        "Value", "From", "To", "PeriodDays", "Key", "Search", "NoResults", "LoadMore", "Preview", "Previewing",
        "Preview.Count", "Preview.Empty", "Preview.Failed", "Preview.TimedOut", "EmptyRule", "ErrorsSummary",
        "MoveUp", "MoveDown", "Days", "Yes", "No", "UnknownField"
    ];

    /// <summary>
    /// English resources, by resource name
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnglishResources { get; } = new Dictionary<string, string>
    {
        [P("Menu.Title")] = "Customer segments",
        [P("Permission.Manage")] = "Admin area. Manage customer segments",

        //list
        [P("List.Title")] = "Customer segments",
        [P("List.SearchName")] = "Segment name",
        [P("List.SearchName.Hint")] = "Search segments by a part of their name.",
        [P("List.SearchStore")] = "Store",
        [P("List.SearchStore.Hint")] = "Show only the segments of this store.",

        //fields
        [P("Fields.Name")] = "Name",
        [P("Fields.Name.Hint")] = "The name admins and discount rules know the segment by.",
        [P("Fields.Name.Required")] = "Enter the segment's name.",
        [P("Fields.Name.TooLong")] = "The name can be at most 400 characters long.",
        [P("Fields.Description")] = "Description",
        [P("Fields.Description.Hint")] = "What the segment is for (shown to admins only).",
        [P("Fields.Active")] = "Active",
        [P("Fields.Active.Hint")] = "Only active segments have members that discounts and other plugins see.",
        [P("Fields.Store")] = "Store",
        [P("Fields.Store.Hint")] = "The store whose orders and customers the rule looks at; all stores when none is chosen.",
        [P("Fields.Store.Invalid")] = "Choose a store from the list.",
        [P("Fields.SegmentType")] = "Type",
        [P("Fields.SegmentType.Hint")] = "Dynamic segments take the customers who match a rule and keep up to date by themselves; static segments hold the customers you add.",
        [P("Fields.SegmentType.Invalid")] = "Choose dynamic or static.",
        [P("Fields.MemberCount")] = "Members",
        [P("Fields.MemberCount.Hint")] = "How many customers are in the segment now.",
        [P("Fields.LastRebuiltOn")] = "Last rebuilt",
        [P("Fields.LastRebuiltOn.Hint")] = "When the rule was last evaluated for all customers.",
        [P("Fields.CreatedOn")] = "Created on",
        [P("Fields.CreatedOn.Hint")] = "When the segment was created.",
        [P("Fields.UpdatedOn")] = "Updated on",
        [P("Fields.UpdatedOn.Hint")] = "When the segment was last changed.",
        [P("Fields.Rule")] = "Rule",
        [P("Fields.Never")] = "Never",

        [P("SegmentType.Dynamic")] = "Dynamic (rule)",
        [P("SegmentType.Static")] = "Static (hand-picked)",

        //pages
        [P("Create.Title")] = "Add a new customer segment",
        [P("Edit.Title")] = "Edit customer segment",
        [P("BackToList")] = "back to customer segment list",
        [P("Card.Info")] = "Segment info",
        [P("Card.Rule")] = "Rule",
        [P("Card.Members")] = "Members",
        [P("Card.Analytics")] = "Analytics",
        [P("Rule.SaveFirst")] = "The rule below has errors; fix the marked conditions and save again.",
        [P("Segments.Added")] = "The segment has been added.",
        [P("Segments.Updated")] = "The segment has been updated.",
        [P("Segments.Deleted")] = "The segment has been deleted.",
        [P("Segments.NotFound")] = "No segment with that id.",
        [P("Segments.Rebuild")] = "Rebuild now",
        [P("Segments.Rebuild.Done")] = "The segment has been rebuilt: {0} members.",
        [P("Segments.Rebuild.InvalidRule")] = "The segment's rule is not valid any more, so its members were left as they were. Open the rule, fix the marked conditions and save.",
        [P("Segments.Rebuild.OnlyDynamic")] = "Only dynamic segments are rebuilt from their rule.",
        [P("Segments.Delete.UsedByDiscounts")] = "These discounts have a requirement naming this segment. After the segment is deleted, their requirement is never met (the discount no longer applies) until you change it:",
        [P("Segments.Delete.NotUsed")] = "No discount requirement names this segment.",

        //members
        [P("Members.SearchEmail")] = "Email",
        [P("Members.SearchEmail.Hint")] = "Search members by a part of their email.",
        [P("Members.Email")] = "Email",
        [P("Members.Name")] = "Name",
        [P("Members.EnteredOn")] = "Member since",
        [P("Members.Export")] = "Export members (CSV)",
        [P("Members.Add")] = "Add customers",
        [P("Members.Add.Emails")] = "Emails of the customers to add, one a line",
        [P("Members.Add.Empty")] = "Enter at least one email.",
        [P("Members.Import")] = "Import CSV",
        [P("Members.Import.Hint")] = "A CSV file whose first column holds the customers' emails; a header line is skipped.",
        [P("Members.Import.Report")] = "{0} lines read: {1} customers added, {2} already members, {3} not found, {4} invalid.",
        [P("Members.Import.NotFound")] = "No customer has these emails: {0}",
        [P("Members.Import.Invalid")] = "These lines are not email addresses: {0}",
        [P("Members.Remove")] = "Remove",

        //analytics
        [P("Analytics.Size")] = "Members over time",
        [P("Analytics.Revenue")] = "Purchases of the members",
        [P("Analytics.RevenueShare")] = "Share of revenue",
        [P("Analytics.OrderShare")] = "Share of orders",
        [P("Analytics.AverageOrderValue")] = "Average order value",
        [P("Analytics.OrdersPerCustomer")] = "Orders per customer",
        [P("Analytics.Segment")] = "Segment",
        [P("Analytics.Shop")] = "Whole shop",
        [P("Analytics.Rfm")] = "Recency and frequency",
        [P("Analytics.Rfm.Recency")] = "Recency score (5 = bought most recently)",
        [P("Analytics.Rfm.Frequency")] = "Frequency score (5 = most orders)",
        [P("Analytics.Rfm.WithoutPurchases")] = "Members without purchases in the last {0} days: {1}",
        [P("Analytics.Histogram")] = "Distribution",
        [P("Analytics.Histogram.Field")] = "Measure",
        [P("Analytics.Histogram.Age")] = "Age",
        [P("Analytics.Histogram.TotalSpent")] = "Total spent",
        [P("Analytics.Histogram.OrderCount")] = "Number of orders",
        [P("Analytics.Histogram.Unknown")] = "Unknown",
        [P("Analytics.Overlap")] = "Overlap with other segments",
        [P("Analytics.Overlap.Shared")] = "Shared members",
        [P("Analytics.Overlap.None")] = "No member of this segment is in another segment.",
        [P("Analytics.Loading")] = "Loading...",
        [P("Analytics.Failed")] = "The analytics could not be loaded.",

        //customer page card
        [P("CustomerCard.Title")] = "Customer segments",
        [P("CustomerCard.Segment")] = "Segment",
        [P("CustomerCard.EnteredOn")] = "Member since",
        [P("CustomerCard.None")] = "This customer is not in any segment.",

        //settings
        [P("Configuration.Title")] = "Customer segments settings",
        [P("Configuration.PurchasePaymentStatuses")] = "Purchases are orders with payment status",
        [P("Configuration.PurchasePaymentStatuses.Hint")] = "Orders with one of these payment statuses count as purchases in rules and analytics.",
        [P("Configuration.PurchasePaymentStatuses.Required")] = "Choose at least one payment status.",
        [P("Configuration.ExcludedOrderStatuses")] = "Never count orders with status",
        [P("Configuration.ExcludedOrderStatuses.Hint")] = "Orders with one of these order statuses never count as purchases.",
        [P("Configuration.Statuses.Invalid")] = "Choose statuses from the list.",
        [P("Configuration.IncludeGuests")] = "Guests can be members",
        [P("Configuration.IncludeGuests.Hint")] = "Whether customers who never registered can be members of segments.",
        [P("Configuration.RebuildIntervalMinutes")] = "Rebuild interval (minutes)",
        [P("Configuration.RebuildIntervalMinutes.Hint")] = "How often the scheduled task refreshes segments whose rules depend on the date.",
        [P("Configuration.RebuildIntervalMinutes.Range")] = "Enter a number of minutes from 1 to 10080 (one week).",
        [P("Configuration.RfmWindowDays")] = "RFM window (days)",
        [P("Configuration.RfmWindowDays.Hint")] = "How many days back recency, frequency and monetary scores look.",
        [P("Configuration.RfmWindowDays.Range")] = "Enter a number of days from 1 to 3650.",

        //rule builder
        [P("Rules.Category.Demographic")] = "Demographics",
        [P("Rules.Category.Geographic")] = "Location",
        [P("Rules.Category.Behaviour")] = "Orders and shopping",
        [P("Rules.Category.Rfm")] = "RFM",
        [P("Rules.Category.Engagement")] = "Engagement",
        [P("Rules.Category.Segments")] = "Other segments",
        [P("Rules.Operator.eq")] = "is",
        [P("Rules.Operator.neq")] = "is not",
        [P("Rules.Operator.in")] = "is one of",
        [P("Rules.Operator.notIn")] = "is none of",
        [P("Rules.Operator.contains")] = "contains",
        [P("Rules.Operator.startsWith")] = "starts with",
        [P("Rules.Operator.endsWith")] = "ends with",
        [P("Rules.Operator.isEmpty")] = "is empty",
        [P("Rules.Operator.isNotEmpty")] = "is not empty",
        [P("Rules.Operator.gt")] = "is more than",
        [P("Rules.Operator.gte")] = "is at least",
        [P("Rules.Operator.lt")] = "is less than",
        [P("Rules.Operator.lte")] = "is at most",
        [P("Rules.Operator.between")] = "is between",
        [P("Rules.Operator.inLastDays")] = "is within the last ... days",
        [P("Rules.Operator.moreThanDaysAgo")] = "is more than ... days ago",
        [P("Rules.Operator.betweenDates")] = "is between the dates",
        [P("Rules.Operator.before")] = "is before",
        [P("Rules.Operator.after")] = "is after",
        [P("Rules.Operator.anyOf")] = "includes any of",
        [P("Rules.Operator.allOf")] = "includes all of",
        [P("Rules.Operator.noneOf")] = "includes none of",
        [P("RuleBuilder.AddCondition")] = "Add condition",
        [P("RuleBuilder.AddGroup")] = "Add group",
        [P("RuleBuilder.Remove")] = "Remove",
        [P("RuleBuilder.MatchAll")] = "All of these are true",
        [P("RuleBuilder.MatchAny")] = "Any of these is true",
        [P("RuleBuilder.Negate")] = "None of them (negate)",
        [P("RuleBuilder.SelectField")] = "Choose a field",
        [P("RuleBuilder.SelectOperator")] = "Choose a comparison",
        [P("RuleBuilder.Value")] = "Value",
        [P("RuleBuilder.From")] = "From",
        [P("RuleBuilder.To")] = "To",
        [P("RuleBuilder.PeriodDays")] = "in the last ... days",
        [P("RuleBuilder.Key")] = "Key",
        [P("RuleBuilder.Search")] = "Search...",
        [P("RuleBuilder.NoResults")] = "Nothing found",
        [P("RuleBuilder.LoadMore")] = "More...",
        [P("RuleBuilder.Preview")] = "Preview",
        [P("RuleBuilder.Previewing")] = "Counting matching customers...",
        [P("RuleBuilder.Preview.Count")] = "{0} customers match the rule now.",
        [P("RuleBuilder.Preview.Empty")] = "No customer matches the rule now.",
        [P("RuleBuilder.Preview.Failed")] = "The preview failed.",
        [P("RuleBuilder.Preview.TimedOut")] = "Counting took too long. Narrow the rule (for example by a store or a shorter period) and try again.",
        [P("RuleBuilder.EmptyRule")] = "A rule without conditions matches every customer.",
        [P("RuleBuilder.ErrorsSummary")] = "The rule has errors:",
        [P("RuleBuilder.MoveUp")] = "Move up",
        [P("RuleBuilder.MoveDown")] = "Move down",
        [P("RuleBuilder.Days")] = "days",
        [P("RuleBuilder.Yes")] = "Yes",
        [P("RuleBuilder.No")] = "No",
        [P("RuleBuilder.UnknownField")] = "Unknown field",
        [P("RuleBuilder.Lookup.UnknownSource")] = "Unknown list of values.",

        [P("DiscountRequirement.IncludeSegmentIds")] = "Customer is in segment(s)",
        [P("DiscountRequirement.IncludeSegmentIds.Hint")] = "The discount applies to customers in these segments.",
        [P("DiscountRequirement.RequireAll")] = "Must be in all of them",
        [P("DiscountRequirement.RequireAll.Hint")] = "Checked: the customer must be in every segment above. Unchecked: any one of them is enough.",
        [P("DiscountRequirement.ExcludeSegmentIds")] = "But not in segment(s)",
        [P("DiscountRequirement.ExcludeSegmentIds.Hint")] = "Customers in any of these segments never get the discount.",
        [P("DiscountRequirement.IncludeRequired")] = "Choose at least one segment the customer must be in.",
        [P("DiscountRequirement.UnknownSegments")] = "These segments do not exist (any more): {0}. Remove them and save again.",
        [P("DiscountRequirement.IncludedAndExcluded")] = "A segment cannot be both required and excluded: {0}.",
        [P("DiscountRequirement.SegmentMissing")] = "Segment #{0} no longer exists: the requirement fails until you remove it.",
        [P("DiscountRequirement.SegmentInactive")] = "Segment \"{0}\" is inactive: the requirement fails until you activate or remove it.",
        [P("DiscountRequirement.DiscountNotFound")] = "The discount could not be loaded.",
        [P("DiscountRequirement.RequirementNotFound")] = "The discount requirement could not be loaded.",
        [P("Fields.ShopperMessage")] = "Message to members",
        [P("Fields.ShopperMessage.Hint")] = "Short text shown to customers in this segment about the offers it unlocks (in the widget zones chosen in the settings).",
        [P("Configuration.WidgetEnabled")] = "Show offers to shoppers",
        [P("Configuration.WidgetEnabled.Hint")] = "Show members the messages of the segments that unlock a discount for them.",
        [P("Configuration.WidgetZones")] = "Widget zones",
        [P("Configuration.WidgetZones.Hint")] = "Public widget zones where the messages are shown.",
    };

    /// <summary>
    /// The same, in the shape nopCommerce's localization service takes
    /// </summary>
    public static IDictionary<string, string> English => new Dictionary<string, string>(EnglishResources);
}
