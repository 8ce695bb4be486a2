using System.Reflection;
using LinqToDB;
using LinqToDB.Mapping;
using LinqToDB.Metadata;
using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

/// <summary>
/// Gives linq2db the table and columns of each entity from <see cref="NopEntityMap"/>, as nopCommerce's
/// metadata reader does from its table definitions: only mapped properties are columns; <c>Id</c> is the
/// identity key, with the sequence PostgreSQL creates for it (mapping tables keyed by two columns have no Id)
/// </summary>
public class NopMetadataReader : IMetadataReader
{
    private readonly NopEntityMap _map;

    public NopMetadataReader(NopEntityMap map)
    {
        _map = map;
    }

    public MappingAttribute[] GetAttributes(Type type)
    {
        if (!type.IsSubclassOf(typeof(BaseEntity)) || _map.Get(type) is not { } mapping)
            return [];

        return [new TableAttribute(mapping.TableName) { IsColumnAttributeRequired = true }];
    }

    public MappingAttribute[] GetAttributes(Type type, MemberInfo memberInfo)
    {
        if (!type.IsSubclassOf(typeof(BaseEntity)) || _map.Get(type) is not { } mapping)
            return [];

        if (memberInfo is not PropertyInfo || mapping.Find(memberInfo.Name) is not { } column)
            return [];

        var attribute = new ColumnAttribute(column.ColumnName)
        {
            IsColumn = true,
            IsPrimaryKey = column.IsPrimaryKey,
            IsIdentity = column.IsIdentity,
            CanBeNull = column.IsNullable,
            DataType = ToDataType(column.ValueType)
        };

        if (column.ValueType == typeof(decimal))
        {
            attribute.Precision = 18;
            attribute.Scale = 4;
        }

        if (!column.IsIdentity)
            return [attribute];

        return [attribute, new SequenceNameAttribute($"{mapping.TableName}_{column.ColumnName}_seq")];
    }

    public MemberInfo[] GetDynamicColumns(Type type) => [];

    public string GetObjectID() => $".{nameof(NopMetadataReader)}.{_map.GetHashCode()}.";

    private static DataType ToDataType(Type type) => type switch
    {
        _ when type == typeof(int) => DataType.Int32,
        _ when type == typeof(long) => DataType.Int64,
        _ when type == typeof(string) => DataType.NVarChar,
        _ when type == typeof(bool) => DataType.Boolean,
        _ when type == typeof(decimal) => DataType.Decimal,
        _ when type == typeof(DateTime) => DataType.DateTime2,
        _ when type == typeof(byte[]) => DataType.VarBinary,
        _ when type == typeof(Guid) => DataType.Guid,
        _ => DataType.Undefined
    };
}
