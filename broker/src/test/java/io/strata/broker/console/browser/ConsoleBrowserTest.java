package io.strata.broker.console.browser;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console in headless Chromium, with authentication on: it lists a topic, shows its partitions'
 * replicas and bytes and that none is under-replicated, browses its latest records and records from an
 * offset, and shows a group's lag in a table and a chart. A screenshot is kept in
 * {@code target/console-screenshots/}. Runs in the {@code console-it} profile, which needs Debian's
 * {@code chromium} and {@code chromium-driver}.
 */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.AuthOn.class)
class ConsoleBrowserTest {

    private static final String USER = "operator";
    private static final String PASSWORD = "console-secret";
    private static final String TOPIC = "console-orders";
    private static final String GROUP = "console-billing";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.http.auth.enabled", "true",
                    "strata.http.auth.username", USER,
                    "strata.http.auth.password", PASSWORD);
        }
    }

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/console/")
    URL console;

    WebDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void startChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The console-it profile drives the console in headless Chromium, but " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing: install them with apt-get install -y chromium chromium-driver"
                    + " (as .ci/run does), or run without -Pconsole-it");
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1280,1700");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 1700));
        // A table being re-rendered while a condition reads it leaves stale elements: read it again.
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void stopChromium() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void listsATopicBrowsesItsRecordsAndShowsAGroupWithLag() throws Exception {
        givenATopicWithRecordsAndAGroupThatLags();
        try {
            browser.get(withCredentials(console.toString()));

            WebElement topic = wait.until(d -> visible(d, By.cssSelector("#topic-table button[data-topic='" + TOPIC + "']")));
            // The tables said "Loading…" until their data came (the served page starts with it, see ConsoleAssetsTest).
            wait.until(d -> d.findElements(By.cssSelector("tr.loading, table[aria-busy]")).isEmpty());
            assertThat(browser.findElement(By.id("cluster")).getText())
                    .contains(lifecycle.broker().identity().clusterId());
            assertThat(browser.findElements(By.cssSelector("#broker-table tbody tr"))).hasSize(1);
            assertThat(texts("#under-replicated-table tbody td")).as("a lone broker holds every replica in sync")
                    .containsExactly("None");
            topic.click();

            wait.until(d -> d.findElements(By.cssSelector("#partition-table tbody tr:not(.loading)")).size() == 2);
            assertThat(browser.getCurrentUrl()).contains("topic=" + TOPIC);
            List<WebElement> firstPartition = browser.findElements(By.cssSelector("#partition-table tbody tr:first-child td"));
            assertThat(firstPartition.get(1).getText()).as("the leader").isEqualTo("1");
            assertThat(firstPartition.get(2).getText()).as("the replicas").isEqualTo("1");
            assertThat(firstPartition.get(3).getText()).as("the in-sync replicas").isEqualTo("1");
            assertThat(browser.findElements(By.cssSelector("#partition-table td.under-replicated"))).isEmpty();
            assertThat(firstPartition.get(5).getText()).isEqualTo("30");
            assertThat(Long.parseLong(firstPartition.get(6).getAttribute("data-bytes"))).isGreaterThan(30 * 10);
            assertThat(firstPartition.get(7).getAttribute("data-bytes")).isEqualTo("0");

            assertThat(browser.findElement(By.id("browse-offset")).isDisplayed())
                    .as("the offset input in the latest records mode").isFalse();
            new Select(browser.findElement(By.id("browse-partition"))).selectByValue("0");
            setValue("browse-count", "5");
            browser.findElement(By.id("browse")).click();
            wait.until(d -> d.findElements(By.cssSelector("#record-table tbody tr")).size() == 5);
            assertThat(column(1)).containsExactly("25", "26", "27", "28", "29");
            assertThat(browser.findElement(By.cssSelector("#record-table tbody tr:last-child")).getText())
                    .contains("order-29").contains("{\"n\":29}");

            new Select(browser.findElement(By.id("browse-mode"))).selectByValue("offset");
            assertThat(browser.findElement(By.id("browse-offset")).isDisplayed()).isTrue();
            setValue("browse-offset", "3");
            setValue("browse-count", "2");
            browser.findElement(By.id("browse")).click();
            wait.until(d -> column(1).equals(List.of("3", "4")));

            browser.findElement(By.cssSelector("#group-table button[data-group='" + GROUP + "']")).click();
            wait.until(d -> d.findElements(By.cssSelector("#lag-table tbody tr:not(.loading)")).size() == 2);
            assertThat(browser.getCurrentUrl()).contains("topic=" + TOPIC, "group=" + GROUP);
            // The lag table is sampled again every 5 s: each read is retried if a new sample replaced it.
            List<String> lag = wait.until(d -> texts("#lag-table tbody tr:first-child td"));
            assertThat(lag).startsWith(TOPIC, "0", "10", "30", "20");
            String totalLag = wait.until(d -> d.findElement(By.id("total-lag")).getText());
            assertThat(totalLag).isEqualTo("20");
            wait.until(d -> !d.findElements(By.cssSelector("#lag-chart [data-series='" + TOPIC + "-0']")).isEmpty());
            String legend = wait.until(d -> d.findElement(By.id("lag-legend")).getText());
            assertThat(legend).contains(TOPIC + "-0: 20");
            assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        } finally {
            screenshot("console.png");
        }
    }

    @Test
    void theAddressSelectsATopicAndAGroupOnLoad() throws Exception {
        String topic = "console-linked";
        String group = "console-linked-group";
        String bootstrap = lifecycle.broker().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 1), new OffsetAndMetadata(0)))
                    .all().get();
        }
        try {
            browser.get(withCredentials(console + "?topic=" + topic + "&group=" + group));

            wait.until(d -> d.findElements(By.cssSelector("#partition-table tbody tr:not(.loading)")).size() == 3);
            assertThat(browser.findElement(By.id("topic-name")).getText()).isEqualTo(topic);
            assertThat(browser.findElement(By.cssSelector("#topic-table button[data-topic='" + topic + "']"))
                    .getAttribute("aria-pressed")).isEqualTo("true");
            wait.until(d -> d.findElements(By.cssSelector("#lag-table tbody tr:not(.loading)")).size() == 1);
            assertThat(browser.findElement(By.id("group-name")).getText()).isEqualTo(group);
            assertThat(texts("#lag-table tbody tr td")).startsWith(topic, "1", "0", "0", "0");

            browser.get(withCredentials(console + "?topic=no-such-topic"));
            String error = wait.until(d -> visible(d, By.id("error"))).getText();
            assertThat(error).contains("no-such-topic");
        } finally {
            screenshot("console-linked.png");
        }
    }

    /** HTTP basic credentials in the address, as a user types them into the browser's prompt. */
    private static String withCredentials(String url) {
        return url.replace("://", "://" + USER + ":" + PASSWORD + "@");
    }

    private static WebElement visible(WebDriver driver, By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }

    private void setValue(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    /** The texts of the elements {@code css} selects; null, for a wait to try again, when there are none. */
    private List<String> texts(String css) {
        List<String> texts = browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
        return texts.isEmpty() ? null : texts;
    }

    private List<String> column(int number) {
        return browser.findElements(By.cssSelector("#record-table tbody tr td:nth-child(" + number + ")"))
                .stream().map(WebElement::getText).toList();
    }

    private void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("console-it.screenshots", "target/console-screenshots"));
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** 30 records on partition 0 and 5 on partition 1; the group committed 10 and 5: lag 20 and 0. */
    private void givenATopicWithRecordsAndAGroupThatLags() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "order-" + i, "{\"n\":" + i + "}")).get();
            }
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 1, "refund-" + i, "{\"r\":" + i + "}")).get();
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            TopicPartition p0 = new TopicPartition(TOPIC, 0);
            TopicPartition p1 = new TopicPartition(TOPIC, 1);
            consumer.assign(List.of(p0, p1));
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(5)));
        }
    }
}
