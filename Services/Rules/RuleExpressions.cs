using System.Linq.Expressions;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Composes predicates of the rule query: AND/OR/NOT, and a test applied to a selected value.
/// Values enter the expression as members of a closure object, which linq2db sends as parameters.
/// </summary>
public static class RuleExpressions
{
    public static Expression<Func<T, bool>> True<T>() => _ => true;

    public static Expression<Func<T, bool>> False<T>() => _ => false;

    public static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Combine(left, right, Expression.AndAlso);

    public static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Combine(left, right, Expression.OrElse);

    public static Expression<Func<T, bool>> Not<T>(Expression<Func<T, bool>> predicate) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(predicate.Body), predicate.Parameters);

    public static Expression<Func<T, bool>> All<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        predicates.Aggregate((Expression<Func<T, bool>>)null, (all, next) => all == null ? next : And(all, next)) ?? True<T>();

    public static Expression<Func<T, bool>> Any<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        predicates.Aggregate((Expression<Func<T, bool>>)null, (any, next) => any == null ? next : Or(any, next)) ?? False<T>();

    /// <summary>
    /// The most values <see cref="OneOf{T, TValue}"/> compares one parameter each
    /// </summary>
    public const int MaxValuesAsParameters = 8;

    /// <summary>
    /// x => selector(x) is one of the values. Up to <see cref="MaxValuesAsParameters"/> values are compared one parameter
    /// each (x = @p1 OR x = @p2 ...): linq2db writes a list into the SQL and so builds the SQL again on every execution,
    /// where the comparisons keep one SQL per number of values (what a per-customer statement run for every event
    /// needs). Longer lists stay a list.
    /// </summary>
    public static Expression<Func<T, bool>> OneOf<T, TValue>(Expression<Func<T, TValue>> selector, IEnumerable<TValue> values)
    {
        var distinct = values.Distinct().ToList();
        if (distinct.Count is 0 or > MaxValuesAsParameters)
            return Apply(selector, value => distinct.Contains(value));

        var body = distinct
            .Select(value => (Expression)Expression.Equal(selector.Body, Parameter(value)))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<T, bool>>(body, selector.Parameters);
    }

    /// <summary>
    /// x => test(selector(x))
    /// </summary>
    public static Expression<Func<T, bool>> Apply<T, TValue>(Expression<Func<T, TValue>> selector, Expression<Func<TValue, bool>> test)
    {
        var body = new ParameterReplacer(test.Parameters[0], selector.Body).Visit(test.Body);
        return Expression.Lambda<Func<T, bool>>(body, selector.Parameters);
    }

    /// <summary>
    /// x => selector(x) [op] value, the value as a parameter
    /// </summary>
    public static Expression<Func<T, bool>> Compare<T, TValue>(Expression<Func<T, TValue>> selector, ExpressionType comparison, TValue value) =>
        Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(comparison, selector.Body, Parameter(value)), selector.Parameters);

    /// <summary>
    /// x => left(x) [op] right(x)
    /// </summary>
    public static Expression<Func<T, bool>> Compare<T, TValue>(Expression<Func<T, TValue>> left, ExpressionType comparison, Expression<Func<T, TValue>> right)
    {
        var rightBody = new ParameterReplacer(right.Parameters[0], left.Parameters[0]).Visit(right.Body);
        return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(comparison, left.Body, rightBody), left.Parameters);
    }

    /// <summary>
    /// A value that the query carries as a parameter
    /// </summary>
    public static Expression Parameter<TValue>(TValue value)
    {
        //linq2db builds the SQL again on every execution for a parameter of a nullable type: a value is carried as
        //its underlying type, converted in the expression
        if (value is not null && Nullable.GetUnderlyingType(typeof(TValue)) is { } underlying)
        {
            var carrier = Activator.CreateInstance(typeof(ParameterValue<>).MakeGenericType(underlying), value);
            return Expression.Convert(Expression.Field(Expression.Constant(carrier), nameof(ParameterValue<TValue>.Value)), typeof(TValue));
        }

        return Expression.Field(Expression.Constant(new ParameterValue<TValue>(value)), nameof(ParameterValue<TValue>.Value));
    }

    /// <summary>
    /// The predicate with the values it captured written in as constants, which linq2db puts into the SQL as literals
    /// instead of parameters: for values that are safe as literals (made of ids) and many in one statement
    /// </summary>
    public static Expression<Func<T, bool>> WithLiterals<T>(Expression<Func<T, bool>> predicate) =>
        (Expression<Func<T, bool>>)new CapturedValueInliner().Visit(predicate);

    private static Expression<Func<T, bool>> Combine<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right,
        Func<Expression, Expression, BinaryExpression> combine)
    {
        var rightBody = new ParameterReplacer(right.Parameters[0], left.Parameters[0]).Visit(right.Body);
        return Expression.Lambda<Func<T, bool>>(combine(left.Body, rightBody), left.Parameters);
    }

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }

    private sealed class CapturedValueInliner : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node is { Expression: ConstantExpression { Value: { } closure }, Member: System.Reflection.FieldInfo field }
                ? Expression.Constant(field.GetValue(closure), node.Type)
                : base.VisitMember(node);
    }

    private sealed class ParameterValue<TValue>(TValue value)
    {
        public readonly TValue Value = value;
    }
}
