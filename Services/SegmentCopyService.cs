using LinqToDB;
using Nop.Core.Domain.Localization;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Services.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

public class SegmentCopyService : ISegmentCopyService
{
    protected readonly ILocalizedEntityService _localizedEntityService;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<LocalizedProperty> _localizedPropertyRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentService _segmentService;

    public SegmentCopyService(ILocalizedEntityService localizedEntityService,
        INopDataProvider dataProvider,
        IRepository<LocalizedProperty> localizedPropertyRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentService segmentService)
    {
        _localizedEntityService = localizedEntityService;
        _dataProvider = dataProvider;
        _localizedPropertyRepository = localizedPropertyRepository;
        _membershipRepository = membershipRepository;
        _segmentService = segmentService;
    }

    /// <summary>
    /// The shopper message in the other languages, saved for the copy through nopCommerce's service (which keeps its
    /// caches current)
    /// </summary>
    protected virtual async Task CopyShopperMessagesAsync(Segment segment, Segment copy)
    {
        var messages = await _localizedPropertyRepository.Table
            .Where(property => property.EntityId == segment.Id && property.LocaleKeyGroup == nameof(Segment)
                && property.LocaleKey == nameof(Segment.ShopperMessage))
            .ToListAsync();

        foreach (var message in messages.Where(message => !string.IsNullOrEmpty(message.LocaleValue)))
            await _localizedEntityService.SaveLocalizedValueAsync(copy, entity => entity.ShopperMessage, message.LocaleValue, message.LanguageId);
    }

    /// <summary>
    /// The current members of a static segment join the copy, in one statement, from now on (the history of the copy
    /// starts with it)
    /// </summary>
    protected virtual async Task<int> CopyMembersAsync(Segment segment, Segment copy)
    {
        var (segmentId, copyId) = (segment.Id, copy.Id);
        var enteredOnUtc = copy.CreatedOnUtc;

        return await _membershipRepository.Table.CurrentOf(segmentId)
            .InsertAsync((ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>(), membership => new SegmentMembership
            {
                SegmentId = copyId,
                CustomerId = membership.CustomerId,
                EnteredOnUtc = enteredOnUtc
            });
    }

    public virtual async Task<Segment> CopySegmentAsync(Segment segment, string name)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var now = DateTime.UtcNow;
        var copy = new Segment
        {
            Name = name.Trim(),
            Description = segment.Description,
            ShopperMessage = segment.ShopperMessage,
            SegmentTypeId = segment.SegmentTypeId,
            RuleJson = segment.RuleJson,
            RuleSchemaVersion = segment.RuleSchemaVersion,
            StoreId = segment.StoreId,
            Active = false,
            CreatedOnUtc = now,
            UpdatedOnUtc = now
        };
        await _segmentService.InsertSegmentAsync(copy);
        await CopyShopperMessagesAsync(segment, copy);

        if (segment.SegmentTypeId == (int)SegmentType.Static)
            await CopyMembersAsync(segment, copy);

        return copy;
    }
}
