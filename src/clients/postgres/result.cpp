#include "clients/postgres/result.h"

#include <charconv>
#include <libpq-fe.h>
#include <stdexcept>

namespace clients::postgres {

void Result::Clear::operator()(PGresult* result) const {
    PQclear(result);
}

Result::Result(PGresult* result) : result_(result) {}

int Result::rows() const {
    return PQntuples(result_.get());
}

int Result::columns() const {
    return PQnfields(result_.get());
}

std::string Result::column_name(int column) const {
    const char* name = PQfname(result_.get(), column);
    if (name == nullptr) {
        throw std::invalid_argument("no column " + std::to_string(column) + " in the result");
    }
    return name;
}

int Result::column(std::string_view name) const {
    for (int i = 0; i < columns(); ++i) {
        if (name == PQfname(result_.get(), i)) {
            return i;
        }
    }
    throw std::invalid_argument("no column \"" + std::string(name) + "\" in the result");
}

void Result::check(int row, int column) const {
    if (row < 0 || row >= rows() || column < 0 || column >= columns()) {
        throw std::invalid_argument("no value at row " + std::to_string(row) + ", column " +
                                    std::to_string(column) + " (the result has " +
                                    std::to_string(rows()) + " rows of " +
                                    std::to_string(columns()) + " columns)");
    }
}

bool Result::is_null(int row, int column) const {
    check(row, column);
    return PQgetisnull(result_.get(), row, column) == 1;
}

std::string_view Result::text(int row, int column) const {
    if (is_null(row, column)) {
        throw std::invalid_argument("column \"" + column_name(column) + "\" of row " +
                                    std::to_string(row) + " is NULL: read it as a std::optional");
    }
    return {PQgetvalue(result_.get(), row, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

void Result::expect_one_row() const {
    if (rows() != 1) {
        throw std::invalid_argument("expected one row, got " + std::to_string(rows()));
    }
}

void Result::bad_value(int row, int column, const char* type) const {
    throw std::invalid_argument("column \"" + column_name(column) + "\" of row " +
                                std::to_string(row) + " is not a " + type + ": \"" +
                                std::string(text(row, column)) + "\"");
}

std::optional<std::int64_t> Result::parse_integer(std::string_view text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> Result::parse_double(std::string_view text) {
    // PostgreSQL writes Infinity, -Infinity and NaN, which from_chars reads as strtod does.
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::int64_t Result::affected() const {
    auto parsed = parse_integer(PQcmdTuples(result_.get()));
    return parsed.value_or(0);
}

std::string Result::command_status() const {
    return PQcmdStatus(result_.get());
}

}  // namespace clients::postgres
