using System;
using Microsoft.AspNetCore.Mvc.Razor;
using Nop.Services.Localization;
using Nop.Web.Framework.Localization;

namespace Nop.Web.Framework.Mvc.Razor;

public abstract class NopRazorPage<TModel> : RazorPage<TModel>
{
    protected ILocalizationService _localizationService;
    protected Localizer _localizer;

    protected NopRazorPage()
    {
    }

    public Localizer T => throw new NotImplementedException();
}
