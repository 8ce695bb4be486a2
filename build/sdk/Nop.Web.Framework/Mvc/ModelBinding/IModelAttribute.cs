namespace Nop.Web.Framework.Mvc.ModelBinding;

public interface IModelAttribute
{
    string Name { get; }
}
