"""Input formats for zh-hans (FORMAT_MODULE_PATH; everything else comes from Django's zh_Hans).

Django renders a date into a form field with the first input format, and zh_Hans's is
``%Y/%m/%d``: ``<input type="date" value="2026/11/20">`` is dropped by the browser, so every
correction blanked the date the user had typed (issue 11 item 4). The HTML date input needs an
ISO value: ISO comes first; the other ways people type a date are still accepted."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2024-09-27: <input type="date"> sends and needs this
    "%Y/%m/%d",  # 2024/9/27
    "%Y年%m月%d日",  # 2024年9月27日
    "%Y.%m.%d",  # 2024.9.27
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
]
