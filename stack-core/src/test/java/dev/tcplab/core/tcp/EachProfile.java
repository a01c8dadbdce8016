package dev.tcplab.core.tcp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A scenario run once per {@link Profile} ("linux", then "rfc9293"), which the test method takes as its
 * {@code Profile} parameter; each run is named by the profile.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("dev.tcplab.core.tcp.TwoStacks#profiles")
@interface EachProfile {}
