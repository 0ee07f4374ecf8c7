#pragma once

#include <string>

#include "antenna/storage/crash_storage.h"
#include "clients/aws/s3_client.h"
#include "core/observability/log.h"

namespace antenna {

// Object keys of Antenna's bucket storage (spec Part 2 §6.3, §6.4), shared by S3 and GCS.
std::string dump_names_key(const std::string& crash_id);
// "upload_file_minidump" (and an empty name) is stored as "dump", as Antenna does.
std::string dump_key(const std::string& dump_name, const std::string& crash_id);
std::string raw_crash_key(const std::string& crash_id);

// Antenna's S3CrashStorage (and GcsCrashStorage, through GCS's S3-compatible XML API):
//   v1/dump_names/<id>, v1/<dump name>/<id>, v1/raw_crash/<YYYYMMDD>/<id>, in that order, so
// that a raw crash present means the crash is complete. Dumps are streamed from the spool.
class S3CrashStorage final : public CrashStorage {
public:
    // `name` is the class name for health reports and logs ("S3CrashStorage").
    S3CrashStorage(std::string name, clients::aws::S3Options options, core::Logger log);

    std::string name() const override { return name_; }
    boost::asio::awaitable<Outcome> save(CrashReport& report) override;
    // Antenna's verify_write_to_bucket: writes test/testfile-<uuid4>.txt.
    Outcome verify() override;
    // Antenna's check_health: HEAD on the bucket.
    boost::asio::awaitable<std::optional<std::string>> check_health() override;

private:
    std::string name_;
    clients::aws::S3Client client_;
    core::Logger log_;
};

}  // namespace antenna
