package io.github.copilot4j;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The runtime's schema marks this method or type {@code stability: experimental}: the runtime may
 * change or drop it in a later version, and copilot4j follows the schema when it does.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Experimental {}
