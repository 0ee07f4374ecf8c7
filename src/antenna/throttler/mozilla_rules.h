#pragma once

#include <string>
#include <vector>

#include "antenna/throttler/throttler.h"

namespace antenna {

// Antenna's presets (antenna/throttler.py), used by BREAKPAD_THROTTLER_* names.
std::vector<Rule> mozilla_rules();                   // MOZILLA_RULES, 16 rules in order
std::vector<Rule> accept_all_rules();                // ACCEPT_ALL
std::vector<std::string> mozilla_products();         // MOZILLA_PRODUCTS
ProductPackagenames mozilla_product_packagenames();  // MOZILLA_PRODUCT_PACKAGENAMES
// ALL_PRODUCTS and ALL_PRODUCT_PACKAGENAMES are the empty containers: no restriction.

// The conditions behind the rules that need code; rules files name them. All but
// always_match read the whole crash (key "*").
bool always_match(const Throttler& throttler, const RuleSubject& subject);

// BuildID matches ^20\d{12}$ (Python's \d: any Unicode decimal digit; $ also before a final
// newline), its first 8 characters parse as a date with strptime("%Y%m%d"), and that date is
// more than 730 days before the throttler's clock, read as a naive UTC time as Antenna's
// datetime.now() is in its UTC containers.
bool match_old_buildid(const Throttler& throttler, const RuleSubject& subject);

// Bug 1426949: Firefox 52-59 crash reports submitted from the infobar before build 20171226.
bool match_infobar_true(const Throttler& throttler, const RuleSubject& subject);

// ProductName is b2g in any case and "B2G" is not a supported product (so it also fires when
// every product is supported). Logs "ProductName B2G: fake accept".
bool match_b2g(const Throttler& throttler, const RuleSubject& subject);

// The products list is not empty and lacks ProductName (missing = ""). Logs
// "ProductName rejected: <repr>".
bool match_unsupported_product(const Throttler& throttler, const RuleSubject& subject);

// The product has package names and Android_PackageName (missing = "None") is not one of them.
// Logs "Android_PackageName rejected: <product> no Android_PackageName" or "... <product> <repr>".
bool match_unsupported_packagename(const Throttler& throttler, const RuleSubject& subject);

// TelemetryEnvironment is text holding a JSON object whose system.os.name is "Windows_NT" and
// whose system.os.windowsBuildNumber is a non-zero integer (true counts as 1, as Python's bool
// is an int) <= 9600, i.e. Windows 8.1 or older.
bool match_unsupported_windows(const Throttler& throttler, const RuleSubject& subject);

}  // namespace antenna
