using System;
using System.Collections.Generic;

namespace Nop.Data.Mapping;

public interface INameCompatibility
{
    Dictionary<Type, string> TableNames { get; }

    Dictionary<(Type, string), string> ColumnName { get; }
}
