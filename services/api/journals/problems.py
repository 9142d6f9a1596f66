"""Problems of the journal register's CSV import."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class JournalCsvEmpty(Problem):
    status = 422
    code = "journal-csv-empty"
    title = "journal csv empty"
    text = "请上传期刊名录 CSV 文件（multipart/form-data 的 file 字段，或 text/csv 请求体）。"


class JournalCsvTooLarge(Problem):
    status = 413
    code = "journal-csv-too-large"
    title = "journal csv too large"
    text = "期刊名录文件不能超过20MB，请分批导入。"


class JournalCsvEncoding(Problem):
    status = 422
    code = "journal-csv-encoding"
    title = "journal csv encoding"
    text = "期刊名录文件编码无法识别，请另存为 UTF-8 编码的 CSV。"


class JournalCsvUnreadable(Problem):
    # The detail says what the CSV reader could not read, where it can.
    status = 422
    code = "journal-csv-unreadable"
    title = "journal csv unreadable"
    text = "期刊名录不是有效的 CSV 文件（如含有空字符），请检查后重新上传。"


class JournalCsvHeader(Problem):
    # The detail shows the header found.
    status = 422
    code = "journal-csv-header"
    title = "journal csv header"
    text = "期刊名录首行须为：issn,cn,name,status,source,listed_on。"


class JournalCsvTooLong(Problem):
    # The detail names the limit.
    status = 422
    code = "journal-csv-too-long"
    title = "journal csv too long"
    text = "期刊名录行数过多，请分批导入。"


class JournalCsvInvalid(Problem):
    # `errors` lists the rows (up to 200); the detail counts them.
    status = 422
    code = "journal-csv-invalid"
    title = "journal csv invalid"
    text = "期刊名录有不正确或与已有刊物冲突的行，整份文件未导入，请修改后重新上传。"


# Every way an uploaded register CSV can be refused, in the order the import meets them.
CSV_PROBLEMS = (
    JournalCsvTooLarge,
    JournalCsvEmpty,
    JournalCsvEncoding,
    JournalCsvUnreadable,
    JournalCsvHeader,
    JournalCsvTooLong,
    JournalCsvInvalid,
)
