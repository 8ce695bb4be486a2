namespace Nop.Core.Domain.Catalog;

public enum AttributeControlType
{
    Checkboxes = 3,
    ColorSquares = 40,
    Datepicker = 20,
    DropdownList = 1,
    FileUpload = 30,
    ImageSquares = 45,
    MultilineTextbox = 10,
    RadioList = 2,
    ReadonlyCheckboxes = 50,
    TextBox = 4,
}
