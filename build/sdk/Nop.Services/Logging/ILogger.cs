using System;
using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Services.Logging;

public interface ILogger
{
    Task ErrorAsync(string message, Exception exception = null, Customer customer = null);

    void Error(string message, Exception exception = null, Customer customer = null);

    Task WarningAsync(string message, Exception exception = null, Customer customer = null);

    Task InformationAsync(string message, Exception exception = null, Customer customer = null);
}
