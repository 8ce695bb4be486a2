using System;
using Microsoft.AspNetCore.Mvc;

namespace Nop.Web.Framework.Mvc.Filters;

public sealed class ValidateIpAddressAttribute : TypeFilterAttribute
{
    public ValidateIpAddressAttribute() : base(typeof(ValidateIpAddressAttribute)) => throw new NotImplementedException();
}
