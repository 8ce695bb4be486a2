namespace Nop.Web.Framework.Factories;

public interface IWidgetModelFactory
{
}
