using System;
using Microsoft.AspNetCore.Mvc;

namespace Nop.Web.Framework.Mvc.Filters;

public sealed class ParameterBasedOnFormNameAttribute : TypeFilterAttribute
{
    public ParameterBasedOnFormNameAttribute(string formKeyName, string actionParameterName) : base(typeof(ParameterBasedOnFormNameAttribute)) => throw new NotImplementedException();
}
