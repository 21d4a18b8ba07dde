package dev.tiergate.server.backend.postgres;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchBackendContract;
import dev.tiergate.server.repo.RepoRef;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The branch backend contract on a PostgreSQL in a container, the version named by the system property
 * {@code tiergate.containers.image} (the -Pcontainers profile runs it for postgres:13, 15 and 17). Needs a Docker
 * engine; compiled and run only with -Pcontainers.
 */
class PostgresBranchBackendOnContainersTest extends BranchBackendContract {
    static PostgreSQLContainer<?> pg;

    @BeforeAll
    static void startContainer() {
        pg = new PostgreSQLContainer<>(DockerImageName.parse(System.getProperty("tiergate.containers.image", "postgres:17-alpine"))
                .asCompatibleSubstituteFor("postgres"));
        pg.start();
    }

    @AfterAll
    static void stopContainer() {
        pg.stop();
    }

    @Override
    protected BranchBackend newBackend() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.getJdbcUrl());
        ds.setUser(pg.getUsername());
        ds.setPassword(pg.getPassword());
        return new PostgresBranchBackend(ds, "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/",
                pg.getUsername(), pg.getPassword(), "containers-secret".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/containers-" + UUID.randomUUID());
    }
}
