#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// libpq's handle, declared as libpq-fe.h does, so that users of this header need not see libpq.
typedef struct pg_result PGresult;

namespace clients::postgres {

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
template <typename>
inline constexpr bool unsupported = false;
}  // namespace detail

// The answer to one statement, in text format (the server's output syntax). Owns the PGresult.
// Values are read with get<T>(row, column), where T is one of
//   std::string, std::string_view (valid while the Result lives), bool (t/f),
//   any integer type (range-checked), double or float, or std::optional of one of them.
// A NULL read as a non-optional type, a value that does not parse as T, or a row or column out of
// range throws std::invalid_argument naming the column: these are programming errors.
class Result {
public:
    explicit Result(PGresult* result);  // takes ownership; not null

    int rows() const;
    int columns() const;
    std::string column_name(int column) const;
    // The index of the column called `name`; throws std::invalid_argument when there is none.
    int column(std::string_view name) const;

    bool is_null(int row, int column) const;
    template <typename T>
    T get(int row, int column) const;
    template <typename T>
    T get(int row, std::string_view column_name) const {
        return get<T>(row, column(column_name));
    }
    // The single value of a one-row answer (`select count(*) ...`); throws std::invalid_argument
    // unless there is exactly one row.
    template <typename T>
    T scalar() const {
        expect_one_row();
        return get<T>(0, 0);
    }

    // Rows that an INSERT, UPDATE, DELETE, MERGE, SELECT, MOVE, FETCH or COPY affected
    // (PQcmdTuples); 0 for other commands.
    std::int64_t affected() const;
    std::string command_status() const;  // "INSERT 0 1", "SELECT 3", "BEGIN"...

    PGresult* native() const { return result_.get(); }

private:
    struct Clear {
        void operator()(PGresult* result) const;
    };

    // The value's text; throws when it is NULL or out of range.
    std::string_view text(int row, int column) const;
    void check(int row, int column) const;
    void expect_one_row() const;
    [[noreturn]] void bad_value(int row, int column, const char* type) const;
    static std::optional<std::int64_t> parse_integer(std::string_view text);
    static std::optional<double> parse_double(std::string_view text);

    std::unique_ptr<PGresult, Clear> result_;
};

template <typename T>
T Result::get(int row, int column) const {
    if constexpr (detail::is_optional<T>::value) {
        check(row, column);
        if (is_null(row, column)) {
            return std::nullopt;
        }
        return get<typename T::value_type>(row, column);
    } else {
        std::string_view value = text(row, column);
        if constexpr (std::is_same_v<T, std::string>) {
            return std::string(value);
        } else if constexpr (std::is_same_v<T, std::string_view>) {
            return value;
        } else if constexpr (std::is_same_v<T, bool>) {
            if (value == "t" || value == "f") {
                return value == "t";
            }
            bad_value(row, column, "bool");
        } else if constexpr (std::is_integral_v<T>) {
            auto parsed = parse_integer(value);
            if (!parsed || std::cmp_less(*parsed, std::numeric_limits<T>::min()) ||
                std::cmp_greater(*parsed, std::numeric_limits<T>::max())) {
                bad_value(row, column, "integer");
            }
            return static_cast<T>(*parsed);
        } else if constexpr (std::is_floating_point_v<T>) {
            auto parsed = parse_double(value);
            if (!parsed) {
                bad_value(row, column, "double");
            }
            return static_cast<T>(*parsed);
        } else {
            static_assert(detail::unsupported<T>, "Result::get: unsupported type");
        }
    }
}

}  // namespace clients::postgres
