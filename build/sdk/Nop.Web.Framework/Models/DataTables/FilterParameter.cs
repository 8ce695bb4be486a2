namespace Nop.Web.Framework.Models.DataTables;

public class FilterParameter
{
    public FilterParameter(string name)
    {
        Name = name;
    }

    public FilterParameter(string name, object value)
    {
        Name = name;
        Value = value;
    }

    public string Name { get; }

    public object Value { get; set; }
}
