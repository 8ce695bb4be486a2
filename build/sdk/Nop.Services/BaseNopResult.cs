using System.Collections.Generic;

namespace Nop.Services;

public abstract class BaseNopResult
{
    public IList<string> Errors { get; set; }
}
