using System.Collections.Generic;

namespace Nop.Web.Framework.Models;

public interface ILocalizedModel
{
}

public interface ILocalizedModel<TLocalizedModel> : ILocalizedModel
{
    IList<TLocalizedModel> Locales { get; set; }
}
