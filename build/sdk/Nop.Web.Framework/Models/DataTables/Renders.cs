namespace Nop.Web.Framework.Models.DataTables;

public class RenderDate : IRender
{
    protected const string DEFAULT_DATE_FORMAT = "L LTS";

    public RenderDate()
    {
        Format = DEFAULT_DATE_FORMAT;
    }

    public string Format { get; set; }
}

public class RenderBoolean : IRender
{
    public RenderBoolean()
    {
    }
}

public class RenderButtonEdit : IRender
{
    public RenderButtonEdit(DataUrl url)
    {
        Url = url;
    }

    public DataUrl Url { get; set; }

    public string ClassName { get; set; }
}


public class RenderLink : IRender
{
    public RenderLink(DataUrl url)
    {
        Url = url;
    }

    public DataUrl Url { get; set; }

    public string Title { get; set; }
}


public class RenderButtonRemove : IRender
{
    public RenderButtonRemove(string title)
    {
        Title = title;
    }

    public string Title { get; set; }

    public string ClassName { get; set; }
}

public class RenderCustom : IRender
{
    public RenderCustom(string functionName)
    {
        FunctionName = functionName;
    }

    public string FunctionName { get; set; }
}
