package dev.tcplab.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A TLS server's credentials: an ECDSA P-256 private key and its X.509 certificate chain (leaf
 * first).
 *
 * <p>Either {@linkplain #generate(long) generated in-process} — a self-signed certificate whose
 * key, serial number and signature all come from a {@link SeededSecureRandom}, with fixed validity
 * ({@link #NOT_BEFORE} .. {@link #NOT_AFTER}), so the same seed always gives byte-identical DER —
 * or {@linkplain #fromPem(Path, Path) loaded from PEM files} supplied by the user.
 *
 * <p>Only ECDSA P-256 keys are accepted: the engine negotiates
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (TLS 1.2) and signs with ecdsa_secp256r1_sha256 (TLS
 * 1.3). Certificates are not validated (dates, chain, names): this is a simulator, the client
 * accepts whatever the server presents.
 */
public final class TlsIdentity {
  /**
   * Fixed start of validity of generated certificates (no wall clock: output must be repeatable).
   */
  public static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");

  /** Fixed end of validity of generated certificates. */
  public static final Instant NOT_AFTER = Instant.parse("2036-01-01T00:00:00Z");

  /** Host name put in generated certificates unless another is given. */
  public static final String DEFAULT_HOST = "tcplab.test";

  private static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;

  private final ECPrivateKeyParameters privateKey;
  private final List<X509CertificateHolder> chain;

  private TlsIdentity(ECPrivateKeyParameters privateKey, List<X509CertificateHolder> chain) {
    this.privateKey = privateKey;
    this.chain = List.copyOf(chain);
  }

  /** A self-signed identity for {@link #DEFAULT_HOST}, derived only from {@code seed}. */
  public static TlsIdentity generate(long seed) {
    return generate(seed, DEFAULT_HOST);
  }

  /**
   * A self-signed ECDSA P-256 identity derived only from {@code seed}: subject and issuer {@code
   * CN=host, O=TcpLab}, subjectAltName {@code DNS:host}, serial number from the seed, validity
   * {@link #NOT_BEFORE} to {@link #NOT_AFTER}, signed SHA256withECDSA.
   */
  public static TlsIdentity generate(long seed, String host) {
    SecureRandom random = SeededSecureRandom.create(seed, "tcplab-tls-identity");
    ECNamedDomainParameters domain = ECNamedDomainParameters.lookup(P256);
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(domain, random));
    AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();
    ECPrivateKeyParameters privateKey = (ECPrivateKeyParameters) keyPair.getPrivate();
    try {
      SubjectPublicKeyInfo spki =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic());
      byte[] serialBytes = new byte[8];
      random.nextBytes(serialBytes);
      serialBytes[0] &= 0x7f;
      serialBytes[0] |= 0x01; // positive and non-zero, always 8 bytes
      X500Name name = new X500Name("CN=" + host + ",O=TcpLab");
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
              name,
              new BigInteger(1, serialBytes),
              Date.from(NOT_BEFORE),
              Date.from(NOT_AFTER),
              name,
              spki);
      BcX509ExtensionUtils extUtils = new BcX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extUtils.createSubjectKeyIdentifier(keyPair.getPublic()));
      AlgorithmIdentifier sigAlg =
          new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      AlgorithmIdentifier digAlg = new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg);
      // The ECDSA signature nonce must come from the seeded random too, or the DER would differ per
      // run.
      ContentSigner signer =
          new BcECContentSignerBuilder(sigAlg, digAlg).setSecureRandom(random).build(privateKey);
      return new TlsIdentity(privateKey, List.of(builder.build(signer)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot create the SHA256withECDSA signer", e);
    }
  }

  /**
   * Loads a user-supplied identity. {@code keyFile}: PEM {@code PRIVATE KEY} (PKCS#8, unencrypted)
   * or {@code EC PRIVATE KEY} (SEC1, as written by {@code openssl ecparam -genkey}); the key must
   * be ECDSA P-256. {@code certFile}: one or more PEM {@code CERTIFICATE} blocks, leaf first; the
   * leaf's public key must match the private key.
   *
   * @throws IOException with a message naming the offending file when a file is missing,
   *     unreadable, not PEM, holds no key/certificate, holds an encrypted or non-P-256 key, or when
   *     key and certificate do not match
   */
  public static TlsIdentity fromPem(Path keyFile, Path certFile) throws IOException {
    ECPrivateKeyParameters key = readPrivateKey(keyFile);
    List<X509CertificateHolder> chain = readCertificates(certFile);
    ECPublicKeyParameters certKey;
    try {
      AsymmetricKeyParameter pub =
          PublicKeyFactory.createKey(chain.get(0).getSubjectPublicKeyInfo());
      if (!(pub instanceof ECPublicKeyParameters)) {
        throw new IOException(
            "TLS certificate file "
                + certFile
                + ": the certificate does not hold an EC public key (only ECDSA P-256 is"
                + " supported)");
      }
      certKey = (ECPublicKeyParameters) pub;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("TLS certificate file")) {
        throw e;
      }
      throw new IOException(
          "TLS certificate file "
              + certFile
              + ": cannot decode the certificate's public key: "
              + e.getMessage(),
          e);
    }
    ECPoint expected = key.getParameters().getG().multiply(key.getD()).normalize();
    if (!isP256(certKey.getParameters()) || !certKey.getQ().normalize().equals(expected)) {
      throw new IOException(
          "TLS private key " + keyFile + " does not match the certificate in " + certFile);
    }
    return new TlsIdentity(key, chain);
  }

  private static ECPrivateKeyParameters readPrivateKey(Path file) throws IOException {
    List<Object> objects = readPem(file, "TLS private key file");
    for (Object o : objects) {
      PrivateKeyInfo info;
      if (o instanceof PEMKeyPair) {
        info = ((PEMKeyPair) o).getPrivateKeyInfo();
      } else if (o instanceof PrivateKeyInfo) {
        info = (PrivateKeyInfo) o;
      } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new IOException(
            "TLS private key file "
                + file
                + ": the key is encrypted; supply an unencrypted PEM key");
      } else {
        continue; // EC PARAMETERS and the like
      }
      AsymmetricKeyParameter key;
      try {
        key = PrivateKeyFactory.createKey(info);
      } catch (IOException | RuntimeException e) {
        throw new IOException(
            "TLS private key file " + file + ": cannot decode the key: " + e.getMessage(), e);
      }
      if (!(key instanceof ECPrivateKeyParameters)
          || !isP256(((ECPrivateKeyParameters) key).getParameters())) {
        throw new IOException(
            "TLS private key file "
                + file
                + ": unsupported key type "
                + info.getPrivateKeyAlgorithm().getAlgorithm()
                + " (only ECDSA P-256 / prime256v1 keys are supported)");
      }
      return (ECPrivateKeyParameters) key;
    }
    throw new IOException(
        "TLS private key file "
            + file
            + ": no private key found (expected a PEM 'PRIVATE KEY' or 'EC PRIVATE KEY' block)");
  }

  private static List<X509CertificateHolder> readCertificates(Path file) throws IOException {
    List<X509CertificateHolder> chain = new ArrayList<>();
    for (Object o : readPem(file, "TLS certificate file")) {
      if (o instanceof X509CertificateHolder) {
        chain.add((X509CertificateHolder) o);
      }
    }
    if (chain.isEmpty()) {
      throw new IOException(
          "TLS certificate file "
              + file
              + ": no certificate found (expected a PEM 'CERTIFICATE' block)");
    }
    return chain;
  }

  private static List<Object> readPem(Path file, String what) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IOException(what + " not found: " + file, e);
    } catch (AccessDeniedException e) {
      throw new IOException(what + " " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException(what + " " + file + ": cannot read: " + e.getMessage(), e);
    }
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        objects.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(what + " " + file + ": malformed PEM: " + e.getMessage(), e);
    }
    if (objects.isEmpty()) {
      throw new IOException(
          what + " " + file + ": not a PEM file (no '-----BEGIN ...-----' block found)");
    }
    return objects;
  }

  private static boolean isP256(ECDomainParameters params) {
    ECDomainParameters p256 = ECNamedDomainParameters.lookup(P256);
    return params.getCurve().equals(p256.getCurve()) && params.getG().equals(p256.getG());
  }

  /**
   * Writes the private key (unencrypted PKCS#8 {@code PRIVATE KEY}) and the certificate chain as
   * PEM.
   */
  public void writePem(Path keyFile, Path certFile) throws IOException {
    Files.writeString(keyFile, privateKeyPem(), StandardCharsets.US_ASCII);
    Files.writeString(certFile, certificatePem(), StandardCharsets.US_ASCII);
  }

  /** The private key as an unencrypted PKCS#8 PEM {@code PRIVATE KEY} block. */
  public String privateKeyPem() {
    try {
      PrivateKeyInfo info = PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey);
      return pem(List.of(new PemObject("PRIVATE KEY", info.getEncoded())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The certificate chain as PEM {@code CERTIFICATE} blocks, leaf first. */
  public String certificatePem() {
    List<PemObject> objects = new ArrayList<>();
    for (X509CertificateHolder c : chain) {
      objects.add(new PemObject("CERTIFICATE", encoded(c)));
    }
    return pem(objects);
  }

  private static String pem(List<PemObject> objects) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      for (PemObject o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().replace("\r\n", "\n");
  }

  /** The leaf certificate. */
  public X509CertificateHolder certificate() {
    return chain.get(0);
  }

  /** The chain, leaf first. */
  public List<X509CertificateHolder> chain() {
    return chain;
  }

  /** DER encoding of the leaf certificate. */
  public byte[] certificateDer() {
    return encoded(chain.get(0));
  }

  /** The leaf's subject, e.g. {@code CN=tcplab.test,O=TcpLab}. */
  public String subject() {
    return chain.get(0).getSubject().toString();
  }

  /**
   * Lower-case hex SHA-256 of the leaf certificate's DER (what {@code openssl x509 -fingerprint
   * -sha256} shows).
   */
  public String sha256Fingerprint() {
    byte[] der = certificateDer();
    SHA256Digest d = new SHA256Digest();
    d.update(der, 0, der.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return HexFormat.of().formatHex(out);
  }

  ECPrivateKeyParameters privateKey() {
    return privateKey;
  }

  /** BC server credentials for one connection (TLS 1.2 and 1.3: ecdsa_secp256r1_sha256). */
  TlsCredentialedSigner signerCredentials(TlsContext context, BcTlsCrypto crypto)
      throws IOException {
    boolean tls13 = TlsUtils.isTLSv13(context);
    TlsCertificate[] certs = new TlsCertificate[chain.size()];
    for (int i = 0; i < certs.length; i++) {
      certs[i] = crypto.createCertificate(encoded(chain.get(i)));
    }
    Certificate certificate;
    if (tls13) {
      CertificateEntry[] entries = new CertificateEntry[certs.length];
      for (int i = 0; i < certs.length; i++) {
        entries[i] = new CertificateEntry(certs[i], null);
      }
      certificate = new Certificate(TlsUtils.EMPTY_BYTES, entries);
    } else {
      certificate = new Certificate(certs);
    }
    SignatureAndHashAlgorithm sigAlg =
        SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context), crypto, privateKey, certificate, sigAlg);
  }

  private static byte[] encoded(X509CertificateHolder c) {
    try {
      return c.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "TlsIdentity[" + subject() + ", sha256=" + sha256Fingerprint() + "]";
  }
}
