using System;

namespace Nop.Core.Configuration;

public interface IConfig
{
    string Name => throw new NotImplementedException();

    int GetOrder() => throw new NotImplementedException();
}
