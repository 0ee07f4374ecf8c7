#pragma once

#include <exception>

#include "core/http/request.h"

namespace core::http {

// Told about every exception a handler let escape (the server answers 500 and logs it), e.g. to
// send it to Sentry. Called on the worker's thread: it must not block.
class ErrorReporter {
public:
    virtual ~ErrorReporter() = default;
    virtual void report(const Request& request, const std::exception& error) = 0;
};

}  // namespace core::http
