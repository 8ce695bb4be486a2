using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Infrastructure;
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
    }

    public void Configure(IApplicationBuilder application)
    {
    }

    public int Order => 3000;
}
