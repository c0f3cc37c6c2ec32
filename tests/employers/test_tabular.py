"""The CSV encoding rule (issue 14, item 8): one encoding per file, UTF-8 (with or without BOM)
or GB18030; a file whose rows are in different encodings is refused at the first row that
differs, counted as the spreadsheet counts rows."""

import pytest

from employers.tabular import EncodingMismatch, ImportFileError, detect_csv_encoding

U = "郏县宏达建设有限公司"


def utf8(text):
    return text.encode("utf-8")


def gb(text):
    return text.encode("gb18030")


@pytest.mark.parametrize(
    "lines, expected",
    [
        ([b"uscc,name", b"1,ascii only"], "utf-8"),
        ([b"uscc,name", utf8(f"1,{U}"), utf8(f"2,{U}")], "utf-8"),
        ([b"\xef\xbb\xbfuscc,name", utf8(f"1,{U}")], "utf-8"),
        ([b"uscc,name", gb(f"1,{U}"), gb(f"2,{U}"), b"3,ascii"], "gb18030"),
        ([b"uscc,name", b"1,ascii", gb(f"2,{U}")], "gb18030"),
    ],
)
def test_one_encoding_per_file_is_read(lines, expected):
    assert detect_csv_encoding(b"\r\n".join(lines) + b"\r\n") == expected


@pytest.mark.parametrize(
    "lines, row",
    [
        # GB18030 file with a UTF-8 row (the mojibake case of the drill)
        ([b"uscc,name", gb(f"1,{U}"), utf8(f"2,{U}"), gb(f"3,{U}")], 3),
        # UTF-8 file with a GB18030 row further down
        ([b"uscc,name", utf8(f"1,{U}"), b"2,ascii", gb(f"3,{U}")], 4),
        # BOM says UTF-8; the first Chinese row is GB18030
        ([b"\xef\xbb\xbfuscc,name", b"1,ascii", gb(f"2,{U}")], 3),
        # a quoted cell spanning two lines is one row: the mismatch is in row 3, not line 4
        ([b"uscc,name", gb(f'1,"{U}'), gb(f'{U}"'), utf8(f"2,{U}")], 3),
    ],
)
def test_a_file_mixing_encodings_is_refused_at_its_row(lines, row):
    with pytest.raises(EncodingMismatch) as refused:
        detect_csv_encoding(b"\r\n".join(lines) + b"\r\n")
    assert refused.value.row == row
    assert f"第 {row} 行" in str(refused.value)


def test_bytes_in_neither_encoding_are_refused_at_their_row():
    with pytest.raises(ImportFileError, match="第 2 行") as refused:
        detect_csv_encoding(b"uscc,name\r\n1,\xff\xfe\x81\r\n")
    assert refused.value.row == 2
