using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Web.Framework.Models;

namespace Nop.Web.Framework.Factories;

public interface ILocalizedModelFactory
{
    Task<IList<T>> PrepareLocalizedModelsAsync<T>(Func<T, int, Task> configure = null) where T : ILocalizedLocaleModel;
}
