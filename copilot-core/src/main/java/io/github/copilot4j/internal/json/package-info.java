/**
 * Internal to copilot4j: not API, may change in any release. Exported only to
 * {@code io.github.copilot4j.testing}, whose in-memory transport and fake runtime reuse it.
 */
package io.github.copilot4j.internal.json;
