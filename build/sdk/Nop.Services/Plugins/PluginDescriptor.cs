using System;
using System.Collections.Generic;

namespace Nop.Services.Plugins;

public interface IDescriptor
{
    string SystemName { get; set; }

    string FriendlyName { get; set; }
}

public class PluginDescriptorBaseInfo : IComparable<PluginDescriptorBaseInfo>
{
    public virtual string SystemName { get; set; }

    public virtual string Version { get; set; }

    public int CompareTo(PluginDescriptorBaseInfo other) => throw new NotImplementedException();
}

public class PluginDescriptor : PluginDescriptorBaseInfo, IDescriptor, IComparable<PluginDescriptor>
{
    public virtual string FriendlyName { get; set; }

    public virtual IList<int> LimitedToCustomerRoles { get; set; }

    public virtual IList<int> LimitedToStores { get; set; }

    public int CompareTo(PluginDescriptor other) => throw new NotImplementedException();
}
