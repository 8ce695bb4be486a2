using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nop.Core;
using Nop.Core.Caching;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Demo;

/// <summary>
/// The plugin's services as nopCommerce builds them: the plugin's own registrations (<see cref="NopStartup"/>)
/// over nopCommerce's data layer on the demo database. Only nopCommerce's logger, localization (the plugin's
/// English resources), static cache and setting store are stand-ins.
/// </summary>
public sealed class DemoServices : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IServiceScope _scope;

    public DemoServices(TestShop shop, TextWriter log)
    {
        var services = new ServiceCollection();
        services.AddSingleton<INopDataProvider>(shop.DataProvider);
        foreach (var entityType in EntityTypes())
        {
            var repositoryType = typeof(IRepository<>).MakeGenericType(entityType);
            var repository = typeof(TestShop).GetMethod(nameof(TestShop.Repository))!.MakeGenericMethod(entityType);
            services.AddScoped(repositoryType, _ => repository.Invoke(shop, null));
        }

        services.AddSingleton(new CustomerSegmentsSettings());
        services.AddSingleton<ILogger>(new DemoLogger(log));
        services.AddSingleton<ILocalizationService>(new EnglishLocalization());
        services.AddSingleton(new Mock<IStaticCacheManager>().Object);
        services.AddSingleton<ISettingService>(new StoreSettings(new Nop.Core.Domain.Orders.ShoppingCartSettings()));
        services.AddSingleton<Nop.Services.Helpers.IDateTimeHelper>(new StoreTimeZoneDateTimeHelper());

        new NopStartup().ConfigureServices(services, new ConfigurationBuilder().Build());

        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        _scope = _provider.CreateScope();
    }

    public T Get<T>() => _scope.ServiceProvider.GetRequiredService<T>();

    /// <summary>
    /// Every entity of nopCommerce and of the plugin: each gets nopCommerce's repository
    /// </summary>
    private static IEnumerable<Type> EntityTypes() =>
        new[] { typeof(BaseEntity).Assembly, typeof(CustomerSegmentsPlugin).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.IsClass && !type.IsAbstract && !type.ContainsGenericParameters && typeof(BaseEntity).IsAssignableFrom(type));

    public void Dispose()
    {
        _scope.Dispose();
        _provider.Dispose();
    }

    private sealed class DemoLogger(TextWriter log) : ILogger
    {
        public Task ErrorAsync(string message, Exception exception = null, Nop.Core.Domain.Customers.Customer customer = null) =>
            log.WriteLineAsync($"error: {message}{(exception == null ? "" : $" ({exception.Message})")}");

        public void Error(string message, Exception exception = null, Nop.Core.Domain.Customers.Customer customer = null) =>
            log.WriteLine($"error: {message}{(exception == null ? "" : $" ({exception.Message})")}");

        public Task WarningAsync(string message, Exception exception = null, Nop.Core.Domain.Customers.Customer customer = null) =>
            log.WriteLineAsync($"warning: {message}");

        public Task InformationAsync(string message, Exception exception = null, Nop.Core.Domain.Customers.Customer customer = null) =>
            Task.CompletedTask;
    }

    private sealed class EnglishLocalization : ILocalizationService
    {
        public Task<string> GetResourceAsync(string resourceKey) =>
            Task.FromResult(LocaleResources.EnglishResources.TryGetValue(resourceKey, out var text) ? text : resourceKey);

        public Task<Dictionary<string, KeyValuePair<int, string>>> GetAllResourceValuesAsync(int languageId, bool? loadPublicLocales) => throw new NotSupportedException();

        public Task AddOrUpdateLocaleResourceAsync(IDictionary<string, string> resources, int? languageId = null) => throw new NotSupportedException();

        public Task DeleteLocaleResourcesAsync(string resourceNamePrefix, int? languageId = null) => throw new NotSupportedException();

        public Task<TPropType> GetLocalizedAsync<TEntity, TPropType>(TEntity entity, System.Linq.Expressions.Expression<Func<TEntity, TPropType>> keySelector,
            int? languageId = null, bool returnDefaultValue = true, bool ensureTwoPublishedLanguages = true)
            where TEntity : BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity =>
            Task.FromResult(keySelector.Compile()(entity));
    }
}
