package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;

/**
 * Test-only certificates, made with the {@code openssl} command in a directory the test owns: two CAs
 * ({@value #CA} and {@value #OTHER_CA}) and EC P-256 leaf certificates signed by one of them, each valid
 * for its own name as a DNS subject alternative name and for both server and client use.
 */
public final class TestCertificates {

	/** The CA that signs the leaves servers and clients trust. */
	public static final String CA = "ca";

	/** A CA nobody trusts, for wrong-CA failures. */
	public static final String OTHER_CA = "other-ca";

	private final Path directory;

	private final java.util.Map<String, String> issuers = new java.util.concurrent.ConcurrentHashMap<>();

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Generates the CAs and leaves.
	 * @param directory where the PEM files go
	 * @param leaves leaf names signed by {@value #CA}; a name of the form {@code name@other-ca} is signed by
	 * {@value #OTHER_CA} and stored as {@code name}
	 * @return the certificates
	 */
	public static TestCertificates generate(Path directory, String... leaves) throws IOException {
		TestCertificates certificates = new TestCertificates(directory);
		certificates.ca(CA);
		certificates.ca(OTHER_CA);
		for (String leaf : leaves) {
			String[] parts = leaf.split("@");
			certificates.leaf(parts[0], (parts.length > 1) ? parts[1] : CA, 2);
		}
		return certificates;
	}

	/** Makes (or remakes) a leaf, so a test can replace a certificate on disk. */
	public void leaf(String name, String issuer, int days) throws IOException {
		this.issuers.put(name, issuer);
		Path ext = this.directory.resolve(name + ".ext");
		Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
				+ "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:" + name + "\n");
		openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
				name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
		openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".crt", "-CAkey", issuer + ".key",
				"-CAcreateserial", "-days", String.valueOf(days), "-out", name + ".crt", "-extfile", name + ".ext");
	}

	private void ca(String name) throws IOException {
		openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
				name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=Test " + name);
	}

	private void openssl(String... arguments) throws IOException {
		List<String> command = new java.util.ArrayList<>(List.of("openssl"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.start();
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	/**
	 * Copies a name's key, then its certificate, over two files, as a certificate renewal does.
	 * @param name the leaf
	 * @param certificateFile where its certificate goes
	 * @param keyFile where its key goes
	 */
	public void copyTo(String name, Path certificateFile, Path keyFile) throws IOException {
		Files.copy(privateKey(name), keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		Files.copy(certificate(name), certificateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	/** The PEM certificate of a name. */
	public Path certificate(String name) {
		return this.directory.resolve(name + ".crt");
	}

	/** The PEM (PKCS#8) private key of a name. */
	public Path privateKey(String name) {
		return this.directory.resolve(name + ".key");
	}

	/** The certificate of a name, parsed. */
	public X509Certificate x509(String name) throws IOException, GeneralSecurityException {
		try (InputStream in = Files.newInputStream(certificate(name))) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	/** A key store holding a name's key, with the chain leaf then its issuer, under the alias {@code name}. */
	public KeyStore keyStore(String name) throws IOException, GeneralSecurityException {
		String issuer = this.issuers.getOrDefault(name, CA);
		String pem = Files.readString(privateKey(name)).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry(name, key, new char[0], new Certificate[] { x509(name), x509(issuer) });
		return store;
	}

	/** Writes {@link #keyStore} as a PKCS#12 file with a password, for JKS-style bundles. */
	public Path pkcs12(String name, String password) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		KeyStore source = keyStore(name);
		store.setKeyEntry(name, source.getKey(name, new char[0]), password.toCharArray(),
				source.getCertificateChain(name));
		Path file = this.directory.resolve(name + ".p12");
		try (OutputStream out = Files.newOutputStream(file)) {
			store.store(out, password.toCharArray());
		}
		return file;
	}

	/**
	 * An SSL context presenting a name's certificate (or none) and trusting a CA (or nothing).
	 * @param name the leaf whose key it presents, or {@code null} for none
	 * @param trusted the CA whose leaves it trusts, or {@code null} for the JDK's default trust
	 */
	public SSLContext context(@Nullable String name, @Nullable String trusted)
			throws IOException, GeneralSecurityException {
		KeyManagerFactory keys = null;
		if (name != null) {
			keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(keyStore(name), new char[0]);
		}
		TrustManagerFactory trust = null;
		if (trusted != null) {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry(trusted, x509(trusted));
			trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
		}
		SSLContext context = SSLContext.getInstance("TLS");
		context.init((keys != null) ? keys.getKeyManagers() : null, (trust != null) ? trust.getTrustManagers() : null,
				null);
		return context;
	}

}
