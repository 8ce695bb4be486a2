namespace Nop.Core.Configuration;

public interface IConfig
{
    string Name { get; }

    int GetOrder();
}
