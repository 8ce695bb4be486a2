using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;
using Nop.Services.Localization;
using Nop.Web.Framework.Models;

namespace Nop.Web.Framework.Controllers;

public abstract class BaseController : Controller
{
    protected BaseController()
    {
    }

    protected virtual Task<string> RenderViewComponentToStringAsync(Type componentType, object arguments = null) => throw new NotImplementedException();

    protected virtual Task<string> RenderPartialViewToStringAsync(string viewName, object model) => throw new NotImplementedException();

    protected JsonResult ErrorJson(string error) => throw new NotImplementedException();

    protected JsonResult ErrorJson(object errors) => throw new NotImplementedException();

    protected virtual void DisplayEditLink(string editPageUrl) => throw new NotImplementedException();

    protected virtual Task AddLocalesAsync<TLocalizedModelLocal>(ILanguageService languageService, IList<TLocalizedModelLocal> locales) where TLocalizedModelLocal : ILocalizedLocaleModel => throw new NotImplementedException();

    protected virtual Task AddLocalesAsync<TLocalizedModelLocal>(ILanguageService languageService, IList<TLocalizedModelLocal> locales, Action<TLocalizedModelLocal, int> configure) where TLocalizedModelLocal : ILocalizedLocaleModel => throw new NotImplementedException();

    protected virtual IActionResult AccessDeniedView() => throw new NotImplementedException();

    protected virtual Task<JsonResult> AccessDeniedJsonAsync() => throw new NotImplementedException();

    public virtual void SaveSelectedCardName(string cardName, bool persistForTheNextRequest = true) => throw new NotImplementedException();

    public virtual Task SaveSelectedTabNameAsync(string tabName = "", bool persistForTheNextRequest = true) => throw new NotImplementedException();

    protected virtual void SaveSelectedTabName(string tabName, StringValues selectedTabName, string dataKeyPrefix, bool persistForTheNextRequest) => throw new NotImplementedException();
}
