package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The packaging promises a user of the published artifacts relies on, read from the POMs
 * themselves: a licence, a BOM that lists every library module at the project's version, sources
 * and Javadoc jars for each library, and a default build that is the framework only. The samples
 * module holds this test: the BOM (packaging pom) runs no tests of its own.
 */
class BuildMetadataTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();

    @Test
    void theLicenceIsApache2AtTheRootAndInTheParentPom() throws Exception {
        String licence = Files.readString(ROOT.resolve("LICENSE"));
        assertTrue(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004")
                && licence.contains("END OF TERMS AND CONDITIONS"), "LICENSE is the full Apache-2.0 text");

        Element parent = pom(ROOT);
        assertEquals("Apache-2.0", text(child(child(child(parent, "licenses"), "license"), "name")));
        assertEquals("https://github.com/weft-dev/weft", text(child(parent, "url")));
        assertEquals("https://github.com/weft-dev/weft", text(child(child(parent, "scm"), "url")));
        assertFalse(text(child(child(child(parent, "developers"), "developer"), "name")).isBlank());
    }

    @Test
    void theBomManagesEveryLibraryModuleAtTheParentsVersion() throws Exception {
        Element parent = pom(ROOT);
        Element bom = pom(ROOT.resolve("bom"));
        assertEquals("weft-bom", text(child(bom, "artifactId")));
        assertEquals("pom", text(child(bom, "packaging")));
        assertEquals(text(child(parent, "groupId")), text(child(bom, "groupId")));
        assertEquals(text(child(parent, "version")), text(child(bom, "version")), "bom/pom.xml has no parent: keep its version in step");

        Set<String> managed = new TreeSet<>();
        for (Element d : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertEquals(text(child(parent, "groupId")), text(child(d, "groupId")));
            assertEquals("${project.version}", text(child(d, "version")));
            managed.add(text(child(d, "artifactId")));
        }
        assertEquals(libraryArtifactIds(parent), managed, "every library module (a JPMS module in the default build) is in the BOM");
    }

    @Test
    void everyLibraryModuleAttachesSourcesAndJavadoc() throws Exception {
        for (String module : libraryModules(pom(ROOT))) {
            Set<String> plugins = new TreeSet<>();
            for (Element p : children(child(child(pom(ROOT.resolve(module)), "build"), "plugins"), "plugin")) {
                plugins.add(text(child(p, "artifactId")));
            }
            assertTrue(plugins.containsAll(Set.of("maven-source-plugin", "maven-javadoc-plugin")), module + ": " + plugins);
        }
    }

    @Test
    void theDefaultBuildIsTheFrameworkAndTheBenchmarksAreAProfile() throws Exception {
        Element parent = pom(ROOT);
        List<String> modules = moduleNames(child(parent, "modules"));
        assertEquals(List.of("server-core", "server-http", "modules/websocket", "modules/micrometer", "modules/opentelemetry", "modules/http2",
                "samples", "bom"), modules);
        boolean inProfile = false;
        for (Element profile : children(child(parent, "profiles"), "profile")) {
            if (text(child(profile, "id")).equals("benchmarks")) {
                inProfile = moduleNames(child(profile, "modules")).equals(List.of("modules/benchmarks"));
            }
        }
        assertTrue(inProfile, "-Pbenchmarks adds modules/benchmarks");
    }

    private static List<String> libraryModules(Element parent) {
        List<String> libraries = new ArrayList<>();
        for (String module : moduleNames(child(parent, "modules"))) {
            if (Files.exists(ROOT.resolve(module).resolve("src/main/java/module-info.java"))) {
                libraries.add(module);
            }
        }
        assertFalse(libraries.isEmpty());
        return libraries;
    }

    private static Set<String> libraryArtifactIds(Element parent) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (String module : libraryModules(parent)) {
            ids.add(text(child(pom(ROOT.resolve(module)), "artifactId")));
        }
        return ids;
    }

    private static List<String> moduleNames(Element modules) {
        List<String> names = new ArrayList<>();
        for (Element m : children(modules, "module")) {
            names.add(text(m));
        }
        return names;
    }

    private static Element pom(Path dir) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("pom.xml").toFile());
        return doc.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertEquals(1, found.size(), "one <" + name + "> in <" + parent.getTagName() + ">");
        return found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element e) {
        return e.getTextContent().trim();
    }
}
