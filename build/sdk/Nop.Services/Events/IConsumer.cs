using System.Threading.Tasks;

namespace Nop.Services.Events;

public interface IConsumer<T>
{
    Task HandleEventAsync(T eventMessage);
}
