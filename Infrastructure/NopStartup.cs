using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Infrastructure;

/// <summary>
/// Registers the plugin's services
/// </summary>
public class NopStartup : INopStartup
{
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        //rule engine
        services.AddSingleton<IRuleFieldCatalog, RuleFieldCatalog>();
        services.AddSingleton<ISegmentRuleSerializer, SegmentRuleSerializer>();
        services.AddScoped<ISegmentRuleValidator, SegmentRuleValidator>();
        services.AddScoped<ISegmentRuleQueryBuilder, SegmentRuleQueryBuilder>();

        //segments and membership
        services.AddScoped<ISegmentService, SegmentService>();
        services.AddScoped<ISegmentMembershipService, SegmentMembershipService>();
        services.AddScoped<ISegmentRebuildService, SegmentRebuildService>();
        services.AddScoped<IStaticSegmentService, StaticSegmentService>();
        services.AddScoped<ISegmentLeaseService, SegmentLeaseService>();
        services.AddScoped<SegmentRuleAnalyzer>();
        services.AddScoped<EmailCsvParser>();
        //nopCommerce finds the event consumers and the scheduled task by itself
    }

    public void Configure(IApplicationBuilder application)
    {
    }

    public int Order => 3000;
}
