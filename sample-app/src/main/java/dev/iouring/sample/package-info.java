/**
 * The sample application: three listeners in one Spring Boot app, each served by a handler bean,
 * with Actuator beside them. The packages below hold one protocol each.
 */
package dev.iouring.sample;
