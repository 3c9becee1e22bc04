package io.github.copilot4j.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A chat backend: one Copilot session per user (owner = the user), answers streamed over SSE.
 * Everything Copilot comes from copilot-spring-boot-starter and {@code application.properties}.
 * Run this class's {@code main} (from the IDE, with the module's class path), then {@code curl -N -X
 * POST localhost:8080/users/alice/messages -H 'Content-Type: text/plain' -d 'Hello!'}.
 */
@SpringBootApplication
public class ChatApplication {
    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }
}
