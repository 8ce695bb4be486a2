using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class CustomerReevaluationLockTests
{
    [Test]
    public async Task ASecondTurnOfTheSameCustomerWaitsUntilTheFirstEnds()
    {
        var turns = new CustomerReevaluationLock();
        var first = await turns.EnterAsync(42);

        var second = turns.EnterAsync(42);
        await Task.WhenAny(second, Task.Delay(200));
        Assert.That(second.IsCompleted, Is.False, "the first turn is held");

        first.Dispose();
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        //disposing the first turn twice released it once: one turn at a time still
        var third = await turns.EnterAsync(42);
        var fourth = turns.EnterAsync(42);
        await Task.WhenAny(fourth, Task.Delay(200));
        Assert.That(fourth.IsCompleted, Is.False);
        third.Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Test]
    public async Task AnotherCustomerDoesNotWait()
    {
        var turns = new CustomerReevaluationLock();
        using var first = await turns.EnterAsync(42);

        var other = turns.EnterAsync(43);

        Assert.That(other.IsCompletedSuccessfully, Is.True);
        (await other).Dispose();
    }

    [Test]
    public void OneLockServesEveryRequestOfTheProcess()
    {
        var services = new ServiceCollection();

        new NopStartup().ConfigureServices(services, null);

        Assert.That(services.Single(service => service.ServiceType == typeof(ICustomerReevaluationLock)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
    }
}
