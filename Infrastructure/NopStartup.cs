using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;

namespace Nop.Plugin.Misc.CustomerSegments.Infrastructure;

/// <summary>
/// Registers the plugin's services
/// </summary>
public class NopStartup : INopStartup
{
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        //the plugin's texts that take arguments (admin pages, rule errors, discount requirement)
        services.AddScoped<ILocaleResourceFormatter, LocaleResourceFormatter>();
        //admin pages
        services.AddScoped<ISegmentModelFactory, SegmentModelFactory>();
        services.AddScoped<IDatabaseConfigurationAdvisor, DatabaseConfigurationAdvisor>();
        services.AddScoped<ISegmentAnalyticsService, SegmentAnalyticsService>();
        services.AddScoped<ISegmentPreviewService, SegmentPreviewService>();
        services.AddScoped<ISegmentValueLookupService, SegmentValueLookupService>();
        services.AddScoped<ISegmentMemberSearchService, SegmentMemberSearchService>();
        services.AddScoped<ISegmentMemberCsvService, SegmentMemberCsvService>();
        services.AddScoped<ISegmentDiscountUsageService, SegmentDiscountUsageService>();
        //rule engine
        services.AddSingleton<IRuleFieldCatalog, RuleFieldCatalog>();
        services.AddSingleton<ISegmentRuleSerializer, SegmentRuleSerializer>();
        services.AddScoped<ISegmentRuleValidator, SegmentRuleValidator>();
        services.AddScoped<ISegmentTemplateCatalog, SegmentTemplateCatalog>();
        services.AddScoped<ISegmentRuleQueryBuilder, SegmentRuleQueryBuilder>();

        //segments and membership
        services.AddScoped(provider => new Lazy<ISegmentRuleValidator>(provider.GetRequiredService<ISegmentRuleValidator>));
        services.AddScoped<ISegmentService, SegmentService>();
        services.AddScoped<ISegmentCopyService, SegmentCopyService>();
        services.AddScoped<ISegmentMembershipService, SegmentMembershipService>();
        services.AddScoped<ISegmentMembershipTransaction, SegmentMembershipTransaction>();
        services.AddScoped<ISegmentMembershipSynchronizer, SegmentMembershipSynchronizer>();
        services.AddScoped<ISegmentRebuildService, SegmentRebuildService>();
        services.AddScoped<ISegmentReevaluationService, SegmentReevaluationService>();
        services.AddSingleton<ICustomerReevaluationLock, CustomerReevaluationLock>();
        services.AddScoped<ICustomerOrderStatisticsService, CustomerOrderStatisticsService>();
        services.AddScoped<ICustomerDailyPurchasesService, CustomerDailyPurchasesService>();
        services.AddScoped<ICustomerPurchasedProductService, CustomerPurchasedProductService>();
        services.AddScoped<IStaticSegmentService, StaticSegmentService>();
        services.AddScoped<ISegmentLeaseService, SegmentLeaseService>();
        services.AddScoped<ISegmentPendingCustomerService, SegmentPendingCustomerService>();
        services.AddScoped<ISegmentPendingCustomerProcessor, SegmentPendingCustomerProcessor>();
        services.AddScoped<IReevaluatedOrderTracker, ReevaluatedOrderTracker>();
        services.AddScoped<ISegmentRebuildRunService, SegmentRebuildRunService>();
        services.AddScoped<ISegmentRebuildRunner, SegmentRebuildRunner>();
        services.AddScoped<IStoreSegmentDeactivator, StoreSegmentDeactivator>();
        services.AddScoped<SegmentRuleAnalyzer>();
        services.AddScoped<EmailCsvParser>();
        //nopCommerce finds the event consumers and the scheduled task by itself

        //discount requirement and shopper offers
        services.AddScoped<ISegmentCacheInvalidator, SegmentCacheInvalidator>();
        services.AddScoped<IActiveSegmentReader, ActiveSegmentReader>();
        services.AddScoped<ICustomerSegmentIdsReader, CustomerSegmentIdsReader>();
        services.AddScoped<ISegmentRequirementStore, SegmentRequirementStore>();
        services.AddScoped<ISegmentRequirementValidator, SegmentRequirementValidator>();
        services.AddScoped<IDiscountRequirementFormErrorFactory, DiscountRequirementFormErrorFactory>();
        services.AddScoped<IFormValueErrorFactory, FormValueErrorFactory>();
        services.AddScoped<ISegmentRequirementChecker, SegmentRequirementChecker>();
        services.AddScoped<ISegmentDiscountRequirementCleaner, SegmentDiscountRequirementCleaner>();
        services.AddScoped<IPluginLimitsAdvisor, PluginLimitsAdvisor>();
        services.AddScoped<ISegmentOffersModelFactory, SegmentOffersModelFactory>();
        services.AddScoped<IRuleRequirementReader, RuleRequirementReader>();
    }

    public void Configure(IApplicationBuilder application)
    {
    }

    public int Order => 3000;
}
