namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Named RFM groups. Every buying customer of the RFM window is in exactly one, by recency (R), frequency (F)
/// and monetary (M) scores 1-5:
/// champions R≥4 F≥4 M≥4; loyal F≥4 R≥3 (not champions); new R≥4 F≤2; potential loyalists R≥3 F≤3 (not new);
/// at risk R≤2 F≥3; hibernating R≤2 F≤2
/// </summary>
public static class RfmGroups
{
    public const string Champions = "champions";
    public const string Loyal = "loyal";
    public const string New = "new";
    public const string PotentialLoyalists = "potentialLoyalists";
    public const string AtRisk = "atRisk";
    public const string Hibernating = "hibernating";

    public static IReadOnlyList<string> All { get; } = [Champions, Loyal, New, PotentialLoyalists, AtRisk, Hibernating];

    /// <summary>
    /// The group of a customer with these scores
    /// </summary>
    public static string Of(int recency, int frequency, int monetary)
    {
        if (recency >= 4 && frequency >= 4 && monetary >= 4)
            return Champions;
        if (frequency >= 4 && recency >= 3)
            return Loyal;
        if (recency >= 4 && frequency <= 2)
            return New;
        if (recency >= 3)
            return PotentialLoyalists;

        return frequency >= 3 ? AtRisk : Hibernating;
    }
}
