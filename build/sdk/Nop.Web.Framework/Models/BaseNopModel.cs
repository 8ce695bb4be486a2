using System;
using System.Collections.Generic;

namespace Nop.Web.Framework.Models;

public record BaseNopModel
{
    public BaseNopModel()
    {
        CustomProperties = new Dictionary<string, string>();
    }

    protected virtual void PostInitialize() => throw new NotImplementedException();

    public Dictionary<string, string> CustomProperties { get; set; }
}
