namespace Nop.Web.Framework.Models.DataTables;

public static class NopColumnClassDefaults
{
    public static string Button => "button-column";

    public static string CenterAll => "text-center";
}
