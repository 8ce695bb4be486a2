using System;
using System.ComponentModel;

namespace Nop.Web.Framework.Mvc.ModelBinding;

public sealed class NopResourceDisplayNameAttribute : DisplayNameAttribute, IModelAttribute
{
    public NopResourceDisplayNameAttribute(string resourceKey) : base(resourceKey) => throw new NotImplementedException();

    public string ResourceKey { get; set; }

    public override string DisplayName => throw new NotImplementedException();

    public string Name => throw new NotImplementedException();
}
