namespace Nop.Core.Domain.ScheduleTasks;

public class ScheduleTask : Nop.Core.BaseEntity
{
    public System.DateTime? LastEnabledUtc { get; set; }
    public System.DateTime? LastEndUtc { get; set; }
    public System.DateTime? LastStartUtc { get; set; }
    public System.DateTime? LastSuccessUtc { get; set; }
    public bool Enabled { get; set; }
    public bool StopOnError { get; set; }
    public int Seconds { get; set; }
    public string Name { get; set; }
    public string Type { get; set; }
}
