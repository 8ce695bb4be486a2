using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Every action of every controller of the plugin is guarded: admin area, admin authorization, the plugin's
/// permission (or the discount permission for the discount requirement page), anti-forgery on posts.
/// Read from the attributes' metadata, so a new action cannot be forgotten.
/// </summary>
public class AdminAccessTests
{
    private static readonly Assembly _plugin = typeof(CustomerSegmentsPlugin).Assembly;

    private static readonly Dictionary<string, string[]> _allowedPermissions = new()
    {
        ["CustomerSegmentsAdminController"] = [CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS],
        ["CustomerSegmentsDiscountController"] = [StandardPermission.Promotions.DISCOUNTS_VIEW, StandardPermission.Promotions.DISCOUNTS_CREATE_EDIT_DELETE]
    };

    public static IEnumerable<Type> Controllers() => _plugin.GetTypes()
        .Where(type => typeof(ControllerBase).IsAssignableFrom(type) && !type.IsAbstract)
        .OrderBy(type => type.Name);

    public static IEnumerable<MethodInfo> Actions(Type controller) => controller
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(method => !method.IsSpecialName && !Has<NonActionAttribute>(method));

    private static bool Has<T>(MemberInfo member) where T : Attribute =>
        member.GetCustomAttributesData().Any(data => typeof(T).IsAssignableFrom(data.AttributeType));

    private static bool HasOnTypeOrBase<T>(Type type) where T : Attribute
    {
        for (var current = type; current != null; current = current.BaseType)
            if (Has<T>(current))
                return true;
        return false;
    }

    [Test]
    public void ThePluginHasControllersAndTheyAreAllKnown()
    {
        var names = Controllers().Select(c => c.Name).ToList();
        Assert.That(names, Is.Not.Empty);
        Assert.That(names, Is.SubsetOf(_allowedPermissions.Keys),
            "a new controller: decide which permission guards it and add it to this test");
    }

    [TestCaseSource(nameof(Controllers))]
    public void ControllerIsAnAdminControllerWithAntiforgery(Type controller)
    {
        var area = controller.GetCustomAttributesData().SingleOrDefault(data => data.AttributeType == typeof(AreaAttribute));
        Assert.That(area, Is.Not.Null, "[Area(AreaNames.ADMIN)]");
        Assert.That(area.ConstructorArguments[0].Value, Is.EqualTo(AreaNames.ADMIN));
        Assert.That(HasOnTypeOrBase<AuthorizeAdminAttribute>(controller), Is.True, "[AuthorizeAdmin]");
        Assert.That(Actions(controller), Is.Not.Empty);
    }

    /// <summary>
    /// nopCommerce's admin pages follow the shop's list of IP addresses allowed into the admin area through
    /// BaseAdminController; a plugin's admin controller derives from BasePluginController and has to ask for it
    /// </summary>
    [TestCaseSource(nameof(Controllers))]
    public void ControllerFollowsTheAdminAreaIpRestriction(Type controller)
    {
        Assert.That(HasOnTypeOrBase<ValidateIpAddressAttribute>(controller), Is.True, "[ValidateIpAddress]");
    }

    [TestCaseSource(nameof(Controllers))]
    public void EveryActionCarriesTheRightPermission(Type controller)
    {
        var allowed = _allowedPermissions[controller.Name];
        foreach (var action in Actions(controller))
        {
            var checks = action.GetCustomAttributesData().Where(data => data.AttributeType == typeof(CheckPermissionAttribute)).ToList();
            Assert.That(checks, Is.Not.Empty, $"{controller.Name}.{action.Name} has no [CheckPermission]");
            foreach (var check in checks)
            {
                var argument = check.ConstructorArguments[0];
                var names = argument.Value is IEnumerable<CustomAttributeTypedArgument> array
                    ? array.Select(a => (string)a.Value).ToList()
                    : [(string)argument.Value];
                Assert.That(names, Is.Not.Empty.And.SubsetOf(allowed), $"{controller.Name}.{action.Name}");
            }
        }
    }

    [TestCaseSource(nameof(Controllers))]
    public void EveryPostIsProtectedFromForgery(Type controller)
    {
        var controllerWide = HasOnTypeOrBase<AutoValidateAntiforgeryTokenAttribute>(controller);
        foreach (var action in Actions(controller).Where(Has<HttpPostAttribute>))
        {
            Assert.That(controllerWide || Has<ValidateAntiForgeryTokenAttribute>(action), Is.True, $"{controller.Name}.{action.Name}");
            Assert.That(Has<IgnoreAntiforgeryTokenAttribute>(action), Is.False, $"{controller.Name}.{action.Name} ignores anti-forgery");
        }
    }

    [TestCaseSource(nameof(Controllers))]
    public void ChangesAreOnlyMadeByPosts(Type controller)
    {
        //actions that change data or hand out member lists must not be reachable by a GET (no anti-forgery there)
        string[] changing = ["Delete", "Rebuild", "AddMembers", "ImportMembers", "RemoveMember", "ExportMembers", "Preview"];
        foreach (var action in Actions(controller).Where(a => changing.Contains(a.Name)))
            Assert.That(Has<HttpPostAttribute>(action), Is.True, $"{controller.Name}.{action.Name}");
    }
}
