using System.Threading.Tasks;

namespace Nop.Services.ScheduleTasks;

public interface IScheduleTask
{
    Task ExecuteAsync();
}
