"""A transactional producer on librdkafka (the library kcat and most non-Java clients are built on), through its
C API: commits one transaction and aborts another.

Usage: transactional_producer.py BOOTSTRAP TOPIC TRANSACTIONAL_ID COMMITTED ABORTED
Writes COMMITTED records "rdkafka-committed-<i>" in a committed transaction, then ABORTED records
"rdkafka-aborted-<i>" in an aborted one, all to partition 0; prints "ok" and exits 0, or prints the error and exits 1.
"""
import ctypes
import sys

RD_KAFKA_PRODUCER = 0
RD_KAFKA_CONF_OK = 0
RD_KAFKA_MSG_F_COPY = 0x2
TIMEOUT_MS = 30000

lib = ctypes.CDLL("librdkafka.so.1")
lib.rd_kafka_conf_new.restype = ctypes.c_void_p
lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
lib.rd_kafka_new.restype = ctypes.c_void_p
lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.rd_kafka_topic_new.restype = ctypes.c_void_p
lib.rd_kafka_topic_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
lib.rd_kafka_produce.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                                 ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
lib.rd_kafka_last_error.restype = ctypes.c_int
lib.rd_kafka_err2str.restype = ctypes.c_char_p
lib.rd_kafka_flush.argtypes = [ctypes.c_void_p, ctypes.c_int]
for call in ("rd_kafka_init_transactions", "rd_kafka_commit_transaction", "rd_kafka_abort_transaction"):
    getattr(lib, call).restype = ctypes.c_void_p
    getattr(lib, call).argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.rd_kafka_begin_transaction.restype = ctypes.c_void_p
lib.rd_kafka_begin_transaction.argtypes = [ctypes.c_void_p]
lib.rd_kafka_error_string.restype = ctypes.c_char_p
lib.rd_kafka_error_string.argtypes = [ctypes.c_void_p]
lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
lib.rd_kafka_topic_destroy.argtypes = [ctypes.c_void_p]


def fail(message):
    print(message)
    sys.exit(1)


def check(error, what):
    if error:
        fail(what + " failed: " + lib.rd_kafka_error_string(error).decode())


def main():
    bootstrap, topic, transactional_id, committed, aborted = sys.argv[1:6]
    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    for name, value in (("bootstrap.servers", bootstrap), ("transactional.id", transactional_id)):
        if lib.rd_kafka_conf_set(conf, name.encode(), value.encode(), errstr, len(errstr)) != RD_KAFKA_CONF_OK:
            fail("setting " + name + ": " + errstr.value.decode())
    producer = lib.rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, len(errstr))
    if not producer:
        fail("creating the producer: " + errstr.value.decode())
    handle = lib.rd_kafka_topic_new(producer, topic.encode(), None)
    check(lib.rd_kafka_init_transactions(producer, TIMEOUT_MS), "init_transactions")
    for prefix, count, end in (("committed", int(committed), lib.rd_kafka_commit_transaction),
                               ("aborted", int(aborted), lib.rd_kafka_abort_transaction)):
        check(lib.rd_kafka_begin_transaction(producer), "begin_transaction")
        for i in range(count):
            value = ("rdkafka-%s-%d" % (prefix, i)).encode()
            if lib.rd_kafka_produce(handle, 0, RD_KAFKA_MSG_F_COPY, value, len(value), None, 0, None) != 0:
                fail("produce failed: " + lib.rd_kafka_err2str(lib.rd_kafka_last_error()).decode())
        lib.rd_kafka_flush(producer, TIMEOUT_MS)
        check(end(producer, TIMEOUT_MS), prefix + " transaction")
    lib.rd_kafka_topic_destroy(handle)
    lib.rd_kafka_destroy(producer)
    print("ok")


main()
