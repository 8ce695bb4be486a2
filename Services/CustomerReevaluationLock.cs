namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// A fixed set of gates, one per remainder of the customer id: customers who share a gate (ids equal modulo
/// <see cref="GateCount"/>) also wait for each other, which is rare and short; registered once per process
/// </summary>
public class CustomerReevaluationLock : ICustomerReevaluationLock
{
    public const int GateCount = 1024;

    protected readonly SemaphoreSlim[] _gates = Enumerable.Range(0, GateCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public virtual async Task<IDisposable> EnterAsync(int customerId)
    {
        var gate = _gates[(uint)customerId % GateCount];
        await gate.WaitAsync();

        return new Turn(gate);
    }

    private sealed class Turn : IDisposable
    {
        private SemaphoreSlim _gate;

        public Turn(SemaphoreSlim gate) => _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
