using System.Threading.Tasks;
using Nop.Core.Domain.ScheduleTasks;

namespace Nop.Services.ScheduleTasks;

public interface IScheduleTaskService
{
    Task DeleteTaskAsync(ScheduleTask task);

    Task<ScheduleTask> GetTaskByTypeAsync(string type);

    Task InsertTaskAsync(ScheduleTask task);

    Task UpdateTaskAsync(ScheduleTask task);
}
