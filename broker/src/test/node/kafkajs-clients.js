// KafkaJS against a broker, as an application uses it: the admin creates a topic, an idempotent producer and a
// transactional one (a committed and an aborted transaction) write to it, and a read_committed consumer group reads
// it from the beginning and commits its offsets.
//
// Usage: node kafkajs-clients.js BOOTSTRAP TOPIC
// Prints one line per record the group read, "seen <partition> <offset> <key>=<value> <header h or ->", then
// "committed <partition> <offset>" per partition of the group's committed offsets, then "ok"; exits 1 on an error.
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'strata-kafkajs-test', brokers: [bootstrap], logLevel: logLevel.ERROR });
const EXPECTED = 4;

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'a', value: '3', headers: { h: 'x' } },
    ],
  });

  const transactional = kafka.producer({ transactionalId: 'kafkajs-writer', idempotent: true, maxInFlightRequests: 1 });
  await transactional.connect();
  let transaction = await transactional.transaction();
  await transaction.send({ topic, messages: [{ key: 'c', value: 'committed' }] });
  await transaction.commit();
  transaction = await transactional.transaction();
  await transaction.send({ topic, messages: [{ key: 'c', value: 'aborted' }] });
  await transaction.abort();

  const consumer = kafka.consumer({ groupId: 'kafkajs-group', readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen} of ${EXPECTED} records in 30 s`)), 30000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const header = message.headers.h ? message.headers.h.toString() : '-';
        console.log(`seen ${partition} ${message.offset} ${message.key}=${message.value} ${header}`);
        if (++seen === EXPECTED) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  await producer.disconnect();
  await transactional.disconnect();

  for (const { partitions } of await admin.fetchOffsets({ groupId: 'kafkajs-group', topics: [topic] })) {
    for (const { partition, offset } of partitions) {
      console.log(`committed ${partition} ${offset}`);
    }
  }
  await admin.disconnect();
  console.log('ok');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
